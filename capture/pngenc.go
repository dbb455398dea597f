package capture

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
	"io"
	"runtime"
	"sync"
)

// encodeRGB writes an opaque 8-bit RGB PNG, not interlaced, of w×h pixels
// whose row y row(y, buf) fills (3*w bytes). row is called for y = 0, 1, …
// in order, from the calling goroutine, so that it can read its source as
// a stream. The rows are cut into bands compressed on every core while the
// next rows are read: each band is deflated on its own and ended by a sync
// flush (the last one closes the stream), so that the bands put end to end
// are one zlib stream; its Adler-32 is combined from the bands'.
//
// Why not image/png: it tries the five filters on every row and compresses
// on one core; for a 1366x10,000 screenshot that was two thirds of the
// banner's time (docs/BENCHMARKS.md has the table of settings).
func encodeRGB(out *bytes.Buffer, w, h int, row func(y int, buf []byte)) error {
	return encodeRGBWith(out, w, h, row, pngSettings{Level: flate.BestSpeed, Filter: filterNone, Band: 256, Workers: runtime.GOMAXPROCS(0)})
}

// pngSettings are the encoder's choices (the benchmark compares several).
type pngSettings struct {
	Level   int  // flate level
	Filter  byte // PNG filter type used on every row
	Band    int  // rows per band
	Workers int
}

const (
	filterNone  = 0
	filterSub   = 1
	filterUp    = 2
	filterPaeth = 4
)

type band struct {
	data  bytes.Buffer
	adler uint32
	n     int64 // bytes before compression
}

// rowsJob is a band's rows as read, after the row above it (zero for the
// first band), which the Up and Paeth filters use.
type rowsJob struct {
	i    int
	rows []byte
}

func encodeRGBWith(out *bytes.Buffer, w, h int, row func(y int, buf []byte), s pngSettings) error {
	stride := 3 * w
	nb := (h + s.Band - 1) / s.Band
	bands := make([]band, nb)
	workers := max(1, min(s.Workers, nb))
	// At most workers+1 bands of rows in memory: one being read, one per
	// worker being compressed.
	free := make(chan []byte, workers+1)
	for range workers + 1 {
		free <- make([]byte, (s.Band+1)*stride)
	}
	jobs := make(chan rowsJob)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			filt := make([]byte, 1+stride)
			fw, _ := flate.NewWriter(nil, s.Level)
			for j := range jobs {
				b := &bands[j.i]
				fw.Reset(&b.data)
				a := adler32.New()
				n := len(j.rows)/stride - 1
				for k := 1; k <= n; k++ {
					filterRow(filt, j.rows[k*stride:(k+1)*stride], j.rows[(k-1)*stride:k*stride], s.Filter)
					a.Write(filt)
					fw.Write(filt)
				}
				if j.i == nb-1 {
					fw.Close()
				} else {
					fw.Flush()
				}
				b.adler, b.n = a.Sum32(), int64(n)*int64(1+stride)
				free <- j.rows[:cap(j.rows)]
			}
		}()
	}
	last := make([]byte, stride) // the row above the next band
	for i := range nb {
		y0, y1 := i*s.Band, min((i+1)*s.Band, h)
		rows := (<-free)[:(y1-y0+1)*stride]
		copy(rows, last)
		for y := y0; y < y1; y++ {
			row(y, rows[(y-y0+1)*stride:(y-y0+2)*stride])
		}
		copy(last, rows[len(rows)-stride:])
		jobs <- rowsJob{i, rows}
	}
	close(jobs)
	wg.Wait()

	size := 8 + 25 + 12 + 6 // signature, IHDR, IEND, zlib header and checksum
	for i := range bands {
		size += 12 + bands[i].data.Len()
	}
	out.Grow(size)
	var hdr [13]byte
	binary.BigEndian.PutUint32(hdr[0:], uint32(w))
	binary.BigEndian.PutUint32(hdr[4:], uint32(h))
	hdr[8], hdr[9] = 8, 2 // 8 bits, RGB
	if _, err := out.Write([]byte("\x89PNG\r\n\x1a\n")); err != nil {
		return err
	}
	if err := writeChunk(out, "IHDR", hdr[:]); err != nil {
		return err
	}
	adler := uint32(1)
	for i := range bands {
		adler = adler32Combine(adler, bands[i].adler, bands[i].n)
		data := bands[i].data.Bytes()
		if i == 0 {
			data = append([]byte{0x78, 0x01}, data...) // zlib header: deflate, 32K window
		}
		if i == nb-1 {
			data = binary.BigEndian.AppendUint32(data, adler)
		}
		if err := writeChunk(out, "IDAT", data); err != nil {
			return err
		}
	}
	return writeChunk(out, "IEND", nil)
}

func writeChunk(w io.Writer, typ string, data []byte) error {
	var b [8]byte
	binary.BigEndian.PutUint32(b[:4], uint32(len(data)))
	copy(b[4:], typ)
	crc := crc32.NewIEEE()
	crc.Write(b[4:])
	crc.Write(data)
	if _, err := w.Write(b[:]); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	_, err := w.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

// filterRow writes the filter type then the filtered row into dst.
func filterRow(dst, cur, prev []byte, f byte) {
	dst[0] = f
	d := dst[1:]
	switch f {
	case filterNone:
		copy(d, cur)
	case filterSub:
		copy(d[:3], cur[:3])
		for i := 3; i < len(cur); i++ {
			d[i] = cur[i] - cur[i-3]
		}
	case filterUp:
		for i := range cur {
			d[i] = cur[i] - prev[i]
		}
	case filterPaeth:
		for i := range cur {
			var a, c int
			if i >= 3 {
				a, c = int(cur[i-3]), int(prev[i-3])
			}
			b := int(prev[i])
			p := a + b - c
			pa, pb, pc := abs(p-a), abs(p-b), abs(p-c)
			pred := c
			if pa <= pb && pa <= pc {
				pred = a
			} else if pb <= pc {
				pred = b
			}
			d[i] = cur[i] - byte(pred)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// adler32Combine is zlib's adler32_combine: the Adler-32 of A followed by B
// from those of A and B and the length of B.
func adler32Combine(a1, a2 uint32, len2 int64) uint32 {
	const base = 65521
	rem := uint32(len2 % base)
	sum1 := a1 & 0xffff
	sum2 := (rem * sum1) % base
	sum1 += (a2 & 0xffff) + base - 1
	sum2 += (a1 >> 16) + (a2 >> 16) + base - rem
	if sum1 >= base {
		sum1 -= base
	}
	if sum1 >= base {
		sum1 -= base
	}
	if sum2 >= base<<1 {
		sum2 -= base << 1
	}
	if sum2 >= base {
		sum2 -= base
	}
	return sum1 | sum2<<16
}
