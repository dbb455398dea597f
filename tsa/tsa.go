package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	neturl "net/url"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"

	"anefdossier/protocol"
)

// Statuses recorded in a timestamp.added event and shown by verify.
const (
	// StatusVerified: signature, hash, nonce and chain up to a configured root.
	StatusVerified = protocol.TimestampVerified
	// StatusRootUnverified: signature, hash and nonce checked, but no root
	// was configured, so nobody vouched for the authority's certificate.
	StatusRootUnverified = protocol.TimestampRootUnverified
)

// MaxResponse bounds what is read from an authority (a real reply is a few KB).
const MaxResponse = 1 << 20

var (
	// ErrUnreachable: the authority could not be reached (offline, DNS, TLS,
	// timeout, HTTP error). Nothing was recorded.
	ErrUnreachable = errors.New("autorité d'horodatage injoignable")
	// ErrRefused: the authority answered with a refusal status.
	ErrRefused = errors.New("l'autorité d'horodatage a refusé la demande")
	// ErrInvalid: the token cannot be parsed or its signature is wrong.
	ErrInvalid = errors.New("jeton d'horodatage invalide")
	// ErrHashMismatch: the token does not cover our SHA-256.
	ErrHashMismatch = errors.New("le jeton ne porte pas l'empreinte de la pièce")
	// ErrNonceMismatch: the reply is not the answer to our request (replay).
	ErrNonceMismatch = errors.New("le jeton ne répond pas à notre demande (nonce différent)")
	// ErrUntrusted: the signer's certificate does not chain to the configured
	// root, or is not a timestamping certificate.
	ErrUntrusted = errors.New("certificat de l'autorité non reconnu par la racine configurée")
	// ErrBadURL: the authority address is not an http(s) URL.
	ErrBadURL = errors.New("adresse d'autorité d'horodatage invalide")
	// ErrRedirect: the authority answered with a redirect. It is never
	// followed: the digest and nonce go only to the configured address, and
	// the authority recorded is the one that answered.
	ErrRedirect = errors.New("l'autorité d'horodatage renvoie vers une autre adresse : redirection refusée")
	// ErrTimeInconsistent: the token's time is far from the time it was
	// asked for (a lying or backdating authority, or a wrong local clock).
	ErrTimeInconsistent = errors.New("heure du jeton incohérente")
)

// MaxSkew is how far a token's time may be from the local time at request:
// beyond it, the token is refused on receipt and reported by verify.
const MaxSkew = 5 * time.Minute

// MaxRootFile bounds a root certificate file (a real one is a few KB).
const MaxRootFile = 1 << 20

// Info describes a verified token.
type Info struct {
	Authority string                   `json:"authority,omitempty"`
	GenTime   time.Time                `json:"gen_time"`
	Serial    string                   `json:"serial"`
	Policy    string                   `json:"policy"`
	Signer    string                   `json:"signer"` // subject of the signing certificate
	Status    protocol.TimestampStatus `json:"status"` // StatusVerified or StatusRootUnverified
	// RootSHA256 is the SHA-256 fingerprint (hex, of the DER) of the root the
	// signer chains to, when a root was given: who vouched for the token.
	RootSHA256 string `json:"root_sha256,omitempty"`
	// RootSubject is that root's subject.
	RootSubject string `json:"root_subject,omitempty"`
	// RequestedAt is the local time the token was asked for.
	RequestedAt time.Time `json:"requested_at,omitempty"`
}

// HTTPClient is used for requests to authorities; tests may replace it.
var HTTPClient = &http.Client{Timeout: 30 * time.Second}

// CheckURL accepts only absolute http or https URLs with a host.
func CheckURL(raw string) error {
	u, err := neturl.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(raw, " \r\n\t") {
		return fmt.Errorf("%w : « %s » (attendu http://… ou https://…)", ErrBadURL, raw)
	}
	return nil
}

// NewRequest builds a DER RFC 3161 request for a SHA-256 digest with a fresh
// random nonce, asking for the signer's certificate in the reply.
func NewRequest(digest []byte) (der []byte, nonce *big.Int, err error) {
	if len(digest) != 32 {
		return nil, nil, fmt.Errorf("empreinte SHA-256 de %d octets (32 attendus)", len(digest))
	}
	nonce, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, fmt.Errorf("tirage du nonce : %w", err)
	}
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: digest, Nonce: nonce, Certificates: true}
	der, err = req.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("encodage de la demande : %w", err)
	}
	return der, nonce, nil
}

// Stamp sends the SHA-256 digest (only the digest, never the file) to the
// authority at url and returns the reply (DER TimeStampResp, the content of a
// .tsr file) once verified: signature, hashed message equal to digest, our
// nonce, and the chain up to roots when roots is not nil.
func Stamp(ctx context.Context, url string, digest []byte, roots *x509.CertPool) ([]byte, Info, error) {
	if err := CheckURL(url); err != nil {
		return nil, Info{}, err
	}
	der, nonce, err := NewRequest(digest)
	if err != nil {
		return nil, Info{}, err
	}
	requested := Now()
	reply, err := post(ctx, url, der)
	if err != nil {
		return nil, Info{}, err
	}
	info, err := verify(reply, digest, nonce, roots)
	if err != nil {
		return nil, Info{}, fmt.Errorf("réponse de %s : %w", url, err)
	}
	if err := CheckSkew(info.GenTime, requested); err != nil {
		return nil, Info{}, fmt.Errorf("réponse de %s : %w ; jeton refusé, rien n'est gardé (horloge de l'autorité ou de cet ordinateur fausse ?)", url, err)
	}
	info.Authority = url
	info.RequestedAt = requested.UTC()
	return reply, info, nil
}

// Now is the clock used to date requests (tests may replace it).
var Now = time.Now

// CheckSkew reports a token time more than [MaxSkew] away from the time it
// was requested.
func CheckSkew(genTime, requested time.Time) error {
	d := genTime.Sub(requested)
	if d < -MaxSkew || d > MaxSkew+time.Minute { // the reply comes after the request (30 s timeout at most)
		return fmt.Errorf("%w : le jeton porte l'heure %s UTC, demandé à %s UTC (écart de %s, %s au plus)", ErrTimeInconsistent,
			genTime.UTC().Format("02/01/2006 15:04:05"), requested.UTC().Format("02/01/2006 15:04:05"), d.Round(time.Second), MaxSkew)
	}
	return nil
}

// noRedirect refuses every redirect (see [ErrRedirect]).
func noRedirect(req *http.Request, via []*http.Request) error {
	return fmt.Errorf("%w (vers %s)", ErrRedirect, req.URL.Redacted())
}

func post(ctx context.Context, url string, der []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(der))
	if err != nil {
		return nil, fmt.Errorf("%w : %s : %v", ErrUnreachable, url, err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	req.Header.Set("Accept", "application/timestamp-reply")
	client := *HTTPClient
	client.CheckRedirect = noRedirect
	resp, err := client.Do(req)
	if errors.Is(err, ErrRedirect) {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s : %w", url, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w : %s : %s", ErrUnreachable, url, netReason(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w : %s : réponse HTTP %d", ErrUnreachable, url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("%w : %s : lecture interrompue : %s", ErrUnreachable, url, netReason(err))
	}
	if len(body) > MaxResponse {
		return nil, fmt.Errorf("%w : réponse de %s trop grande (plus de %d octets)", ErrInvalid, url, MaxResponse)
	}
	return body, nil
}

// netReason gives a short French reason for a transport error.
func netReason(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "connection refused"):
		return "connexion refusée (service arrêté ou hors ligne)"
	case strings.Contains(s, "no such host"), strings.Contains(s, "server misbehaving"):
		return "nom d'hôte inconnu (pas de réseau ou adresse erronée)"
	case strings.Contains(s, "Client.Timeout"), strings.Contains(s, "deadline exceeded"), strings.Contains(s, "i/o timeout"):
		return "pas de réponse dans le délai (30 s)"
	case strings.Contains(s, "certificate signed by unknown authority"):
		return "erreur TLS : certificat du serveur non reconnu (autorité de certification inconnue)"
	case strings.Contains(s, "certificate"), strings.Contains(s, "tls:"):
		return "erreur TLS : " + s
	case strings.Contains(s, "network is unreachable"):
		return "réseau inaccessible"
	}
	return s
}

// Verify checks a stored reply (.tsr) offline against a SHA-256 digest:
// parsable, signature valid, hashed message equal to digest, signer is a
// timestamping certificate, and, when roots is not nil, chain up to roots
// at the token's time. The nonce cannot be rechecked offline (it was checked
// on receipt).
func Verify(reply, digest []byte, roots *x509.CertPool) (Info, error) {
	return verify(reply, digest, nil, roots)
}

// preview shows the start of a reply that is text (", commençant par « <html>… »").
func preview(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	n := min(len(b), 40)
	for _, c := range b[:n] {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c >= 0x7f {
			return ""
		}
	}
	return ", commençant par « " + protocol.Neutralize(strings.Join(strings.Fields(string(b[:n])), " ")) + "… »"
}

var oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}

func verify(reply, digest []byte, nonce *big.Int, roots *x509.CertPool) (Info, error) {
	ts, err := timestamp.ParseResponse(reply)
	if err != nil {
		if m := strings.ToLower(err.Error()); strings.Contains(m, "rejected") || strings.Contains(m, "waiting") || strings.Contains(m, "revocation") {
			return Info{}, fmt.Errorf("%w : %v", ErrRefused, err)
		}
		var se asn1.StructuralError
		var sy asn1.SyntaxError
		if errors.As(err, &se) || errors.As(err, &sy) || strings.HasPrefix(err.Error(), "asn1:") {
			// Review 1, low 22: never the raw ASN.1 dump.
			return Info{}, fmt.Errorf("%w : la réponse n'est pas un jeton RFC 3161 (%d octets%s) : adresse d'une page web plutôt que du service d'horodatage ?", ErrInvalid, len(reply), preview(reply))
		}
		return Info{}, fmt.Errorf("%w : %v", ErrInvalid, err)
	}
	// ParseResponse verifies the signature only when certificates are
	// present: without them nothing is proven.
	if len(ts.Certificates) == 0 {
		return Info{}, fmt.Errorf("%w : le jeton ne contient pas le certificat du signataire", ErrInvalid)
	}
	if ts.HashAlgorithm != crypto.SHA256 {
		return Info{}, fmt.Errorf("%w : algorithme %v au lieu de SHA-256", ErrHashMismatch, ts.HashAlgorithm)
	}
	if !bytes.Equal(ts.HashedMessage, digest) {
		return Info{}, fmt.Errorf("%w : jeton %s, pièce %s", ErrHashMismatch, hex.EncodeToString(ts.HashedMessage), hex.EncodeToString(digest))
	}
	if nonce != nil && (ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0) {
		return Info{}, ErrNonceMismatch
	}
	p7, err := pkcs7.Parse(ts.RawToken)
	if err != nil {
		return Info{}, fmt.Errorf("%w : %v", ErrInvalid, err)
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return Info{}, fmt.Errorf("%w : un seul signataire attendu", ErrInvalid)
	}
	if err := checkStructure(ts.RawToken, p7); err != nil {
		return Info{}, fmt.Errorf("%w : %v", ErrInvalid, err)
	}
	if !hasTimeStampingEKU(signer) {
		return Info{}, fmt.Errorf("%w : le certificat %s n'est pas un certificat d'horodatage (usage timeStamping absent)", ErrUntrusted, signer.Subject)
	}
	info := Info{GenTime: ts.Time.UTC(), Policy: ts.Policy.String(), Signer: signer.Subject.String(), Status: StatusRootUnverified}
	if ts.SerialNumber != nil {
		info.Serial = ts.SerialNumber.String()
	}
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range p7.Certificates {
			inter.AddCert(c)
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ts.Time,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}
		if err := p7.VerifyWithOpts(opts); err != nil {
			if strings.Contains(err.Error(), "certificate chain") {
				return Info{}, fmt.Errorf("%w : %v", ErrUntrusted, err)
			}
			return Info{}, fmt.Errorf("%w : %v", ErrInvalid, err)
		}
		if chains, err := signer.Verify(opts); err == nil && len(chains) > 0 && len(chains[0]) > 0 {
			root := chains[0][len(chains[0])-1]
			sum := sha256.Sum256(root.Raw)
			info.RootSHA256 = hex.EncodeToString(sum[:])
			info.RootSubject = root.Subject.String()
		}
		// Every certificate carried by the token must be genuine too: a
		// corrupted spare certificate is a corrupted token.
		for _, c := range p7.Certificates {
			if _, err := c.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ts.Time,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				return Info{}, fmt.Errorf("%w : certificat %s : %v", ErrUntrusted, c.Subject, err)
			}
		}
		info.Status = StatusVerified
	}
	return info, nil
}

var oidTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}

// outer shapes of a CMS SignedData, only as far as checkStructure needs.
type cmsContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type cmsSignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	Encap            struct {
		EContentType asn1.ObjectIdentifier
		EContent     asn1.RawValue `asn1:"explicit,optional,tag:0"`
	}
	Rest asn1.RawValue `asn1:"optional"`
}

// checkStructure checks what the pkcs7 library leaves unchecked: the signed
// content is a TSTInfo, both as declared and as signed (content-type
// attribute), and the digest algorithm is listed.
func checkStructure(token []byte, p7 *pkcs7.PKCS7) error {
	var ci cmsContentInfo
	if _, err := asn1.Unmarshal(token, &ci); err != nil {
		return err
	}
	var sd cmsSignedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return err
	}
	if !sd.Encap.EContentType.Equal(oidTSTInfo) {
		return fmt.Errorf("contenu signé de type %v au lieu de TSTInfo", sd.Encap.EContentType)
	}
	var ct asn1.ObjectIdentifier
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeContentType, &ct); err != nil || !ct.Equal(oidTSTInfo) {
		return fmt.Errorf("attribut signé content-type absent ou différent de TSTInfo")
	}
	found := false
	for _, a := range sd.DigestAlgorithms {
		if a.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA256) {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("algorithme SHA-256 absent de la liste des condensés")
	}
	return nil
}

func hasTimeStampingEKU(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageTimeStamping {
			return true
		}
	}
	for _, o := range c.UnknownExtKeyUsage {
		if o.Equal(oidTimeStamping) {
			return true
		}
	}
	return false
}

// LoadRoots reads PEM certificates (one or several) as trusted roots: a
// regular file of at most [MaxRootFile] bytes (never a FIFO or a device).
func LoadRoots(path string) (*x509.CertPool, error) {
	data, err := protocol.ReadUserFile(path, MaxRootFile)
	if err != nil {
		return nil, fmt.Errorf("lecture de la racine %s : %w", path, err)
	}
	return ParseRoots(data)
}

// Fingerprint formats a hex SHA-256 as the usual colon-separated pairs
// (AB:CD:…), as openssl x509 -fingerprint -sha256 prints it.
func Fingerprint(hexSum string) string {
	var b strings.Builder
	for i := 0; i+1 < len(hexSum); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(hexSum[i : i+2]))
	}
	return b.String()
}

// ParseRoots reads PEM certificates as trusted roots; it refuses a file with
// no certificate.
func ParseRoots(data []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificat racine illisible : %w", err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, errors.New("aucun certificat PEM dans le fichier de racine")
	}
	return pool, nil
}
