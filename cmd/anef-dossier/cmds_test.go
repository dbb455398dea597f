package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	// mkpng FILE W H: writes a real opaque PNG (a gradient) for scripts.
	scriptCmds["mkpng"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 3 {
			ts.Fatalf("usage: mkpng FILE W H")
		}
		w, _ := strconv.Atoi(args[1])
		h, _ := strconv.Atoi(args[2])
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
			}
		}
		f, err := os.Create(ts.MkAbs(args[0]))
		ts.Check(err)
		ts.Check(png.Encode(f, img))
		ts.Check(f.Close())
	}
}

func init() {
	// appendfile FILE TEXT: appends TEXT without a newline (a cut write).
	scriptCmds["appendfile"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 {
			ts.Fatalf("usage: appendfile FILE TEXT")
		}
		f, err := os.OpenFile(ts.MkAbs(args[0]), os.O_WRONLY|os.O_APPEND, 0)
		ts.Check(err)
		_, err = f.WriteString(args[1])
		ts.Check(err)
		ts.Check(f.Close())
	}
}
