package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"anefdossier/capture"
	"anefdossier/internal/durable"
	"anefdossier/internal/sysinfo"
	"anefdossier/protocol"
	"anefdossier/tsa"
)

// Status of one finding of [Doctor] (machine values).
const (
	StatusOK      = "ok"
	StatusWarning = "warning"
	StatusProblem = "problem"
)

// Finding is one thing [Doctor] looked at.
type Finding struct {
	Topic  string   `json:"topic"`  // machine name: "browser", "write_once"...
	Title  string   `json:"title"`  // French
	Status string   `json:"status"` // StatusOK, StatusWarning, StatusProblem
	Found  []string `json:"found"`  // what was found, in French, one line each
	Hint   string   `json:"hint,omitempty"`
}

// DoctorRequest says where and how far [Doctor] looks.
type DoctorRequest struct {
	// Dir is the case folder, or the folder where a case would be made.
	Dir       string
	Templates fs.FS
	// Browser is the browser program given by the user ("" = search).
	Browser string
	// NoBrowserStart skips starting the browser to read its version.
	NoBrowserStart bool
	// Offline skips the request to the timestamp authorities.
	Offline bool
	// BrowserTimeout and TSATimeout bound each network or browser wait
	// (0: 60 s and 30 s).
	BrowserTimeout, TSATimeout time.Duration
}

// DoctorReport is what [Doctor] found, in a fixed order.
type DoctorReport struct {
	Tool     string    `json:"tool"`
	System   string    `json:"system"` // GOOS/GOARCH
	Dir      string    `json:"dir"`
	IsCase   bool      `json:"is_case"`
	Findings []Finding `json:"findings"`
}

// Problems counts the findings that prevent the tool's main job.
func (r *DoctorReport) Problems() int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == StatusProblem {
			n++
		}
	}
	return n
}

// Doctor checks what the tool needs on this machine and in this folder: the
// browser and its version, the file system and what write-once does there
// (tried, not guessed), the protection of the folder, the timestamp
// authorities (asked for a token unless Offline), the fonts captured pages
// are drawn with, the free space, and that no outside program is needed. It
// writes nothing but a probe folder inside Dir, removed at once, and does
// not take the case's lock.
func Doctor(ctx context.Context, req DoctorRequest) *DoctorReport {
	if req.BrowserTimeout == 0 {
		req.BrowserTimeout = 60 * time.Second
	}
	if req.TSATimeout == 0 {
		req.TSATimeout = 30 * time.Second
	}
	r := &DoctorReport{Tool: protocol.ToolVersion, System: runtime.GOOS + "/" + runtime.GOARCH, Dir: req.Dir}
	if abs, err := filepath.Abs(req.Dir); err == nil {
		r.Dir = abs
	}
	var cs *protocol.Case
	if c, err := protocol.Open(req.Dir, req.Templates); err == nil {
		cs, r.IsCase = c, true
	}
	// The browser start and the authorities' answers are the slow parts:
	// they run side by side.
	var browser, stamp Finding
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); browser = doctorBrowser(ctx, req) }()
	go func() { defer wg.Done(); stamp = doctorTSA(ctx, cs, req) }()
	fsys, perms, disk := doctorFolder(r.Dir, r.IsCase)
	wg.Wait()
	r.Findings = []Finding{browser, fsys, perms, stamp, doctorFonts(), disk, doctorTools()}
	return r
}

func doctorBrowser(ctx context.Context, req DoctorRequest) Finding {
	f := Finding{Topic: "browser", Title: "Navigateur (captures)"}
	path, err := capture.FindChromium(req.Browser)
	if err != nil {
		f.Status, f.Hint = StatusProblem, capture.InstallHint()
		f.Found = append(f.Found, "aucun navigateur Chrome, Edge, Brave ou Chromium trouvé : les captures sont impossibles ; le reste (pièces importées, courriers, vérification, export) fonctionne")
		if req.Browser != "" {
			f.Found[0] = fmt.Sprintf("le programme indiqué (%s) est introuvable : les captures sont impossibles", req.Browser)
		}
		return f
	}
	f.Status = StatusOK
	kind := capture.BrowserKind(path)
	if req.NoBrowserStart {
		f.Found = append(f.Found, fmt.Sprintf("%s : %s (version non lue : navigateur non démarré)", kind, path))
	} else if name, ver, err := capture.BrowserVersion(ctx, path, req.BrowserTimeout); err != nil {
		f.Status = StatusProblem
		f.Found = append(f.Found, fmt.Sprintf("%s : %s, mais il n'a pas démarré sans fenêtre : %v", kind, path, err))
		f.Hint = "mettez le navigateur à jour, ou indiquez-en un autre avec --browser CHEMIN ou la variable " + capture.EnvBrowser
		return f
	} else {
		f.Found = append(f.Found, fmt.Sprintf("%s %s : %s (démarré sans fenêtre, version lue auprès du navigateur)", name, ver, path))
	}
	for _, b := range capture.FindBrowsers() {
		if b.Path != path {
			f.Found = append(f.Found, fmt.Sprintf("aussi présent : %s (%s)", b.Name, b.Path))
		}
	}
	if capture.HasDisplay() {
		f.Found = append(f.Found, "« capture browser » peut ouvrir une fenêtre visible (pages où il faut être connecté)")
	} else {
		f.Status = StatusWarning
		f.Found = append(f.Found, "aucun affichage graphique : « capture browser » (fenêtre visible, pages où il faut être connecté) est impossible ici ; les captures par adresse fonctionnent")
		f.Hint = "lancez la commande depuis votre session graphique pour capturer une page où il faut être connecté"
	}
	return f
}

// doctorFolder looks at the folder: its file system and what write-once
// does there, its protection, the free space.
func doctorFolder(dir string, isCase bool) (fsys, perms, disk Finding) {
	fsys = Finding{Topic: "write_once", Title: "Système de fichiers et écriture unique des pièces"}
	perms = Finding{Topic: "permissions", Title: "Protection du dossier"}
	disk = Finding{Topic: "disk", Title: "Espace libre"}
	// A case not made yet: the nearest folder that exists, on the same file
	// system in the usual case.
	at := dir
	for {
		if st, err := os.Stat(at); err == nil && st.IsDir() {
			break
		}
		up := filepath.Dir(at)
		if up == at {
			break
		}
		at = up
	}
	where := dir
	if at != dir {
		where = fmt.Sprintf("%s (n'existe pas encore : examiné dans %s)", dir, at)
	}
	vol, verr := sysinfo.VolumeOf(at)
	typ := vol.Type
	if typ == "" {
		typ = "type inconnu"
	}
	fsys.Found = append(fsys.Found, fmt.Sprintf("%s : système de fichiers %s", where, typ))
	pr, perr := durable.Probe(at)
	switch {
	case perr != nil:
		fsys.Status = StatusProblem
		fsys.Found = append(fsys.Found, fmt.Sprintf("essai d'écriture impossible : %v", perr))
		fsys.Hint = "choisissez un dossier où vous pouvez écrire (par exemple dans Documents), sur un support qui n'est pas en lecture seule"
	case !pr.NeverReplaced:
		fsys.Status = StatusProblem
		fsys.Found = append(fsys.Found, "un fichier écrit une seule fois a été modifié par une seconde écriture : les pièces ne sont pas protégées ici")
		fsys.Hint = "placez le dossier sur le disque de l'ordinateur (NTFS, APFS, ext4)"
	default:
		fsys.Status = StatusOK
		switch pr.Method {
		case "link":
			fsys.Found = append(fsys.Found, "écriture unique essayée : par lien physique ; une pièce n'est jamais remplacée, une seconde écriture du même nom a été refusée")
		case "rename-noreplace":
			fsys.Found = append(fsys.Found, "écriture unique essayée : par renommage sans remplacement ; une pièce n'est jamais remplacée, une seconde écriture du même nom a été refusée")
		default:
			fsys.Found = append(fsys.Found, "écriture unique essayée : ce support n'a ni liens physiques ni renommage sans remplacement (exFAT, FAT) ; le nom est d'abord réservé par un fichier vide, puis le contenu complet prend sa place ; une seconde écriture du même nom a été refusée")
			fsys.Hint = "une coupure au mauvais instant peut laisser un fichier vide à côté du fichier complet : anef-dossier verify les signale et verify --repair les met de côté ; pour le dossier de travail, préférez le disque de l'ordinateur et gardez la clé pour les copies (export)"
		}
	}

	// Protection. Unix: the modes asked (0700, 0600) and whether the file
	// system keeps them. Windows: no such modes; the folder's ACL, inherited
	// from the user's profile, is what keeps other users out.
	perms.Status = StatusOK
	fat := strings.Contains(strings.ToLower(vol.Type), "fat") || vol.Type == "msdos"
	if runtime.GOOS == "windows" {
		home, _ := os.UserHomeDir()
		switch {
		case fat:
			perms.Status = StatusWarning
			perms.Found = append(perms.Found, fmt.Sprintf("support %s : il n'a pas de droits d'accès ; quiconque a la clé ou le disque lit le dossier", vol.Type))
			perms.Hint = "chiffrez le support (BitLocker To Go) ou gardez le dossier dans votre profil (Documents)"
		case home != "" && underDir(home, at):
			perms.Found = append(perms.Found, fmt.Sprintf("dans votre profil (%s) : ses droits d'accès (ACL), hérités par le dossier, le réservent à votre compte et aux administrateurs de l'ordinateur", home))
		default:
			perms.Status = StatusWarning
			perms.Found = append(perms.Found, fmt.Sprintf("hors de votre profil (%s) : les droits d'accès de ce dossier sont ceux de son parent, peut-être ouverts à d'autres comptes", home))
			perms.Hint = "placez le dossier dans votre profil (par exemple Documents), ou vérifiez l'onglet Sécurité de ses propriétés"
		}
	} else {
		if pr.Mode != 0 && pr.Mode != durable.FileMode {
			perms.Status = StatusWarning
			perms.Found = append(perms.Found, fmt.Sprintf("ce système de fichiers ne garde pas les droits demandés (0600 demandé, %04o obtenu) : quiconque a accès au support lit le dossier", uint32(pr.Mode)))
			perms.Hint = "chiffrez le support (FileVault, LUKS, BitLocker To Go) ou gardez le dossier sur le disque de l'ordinateur"
		} else if pr.Mode == durable.FileMode {
			perms.Found = append(perms.Found, "les droits sont gardés : fichiers 0600, dossiers 0700 (lisibles par vous seul)")
		}
		if isCase {
			open, others := openEntries(dir)
			if open > 0 {
				perms.Status = StatusWarning
				perms.Found = append(perms.Found, protocol.Count(open, "élément du dossier lisible", "éléments du dossier lisibles")+" par d'autres comptes que le vôtre")
				if perms.Hint == "" {
					perms.Hint = "chmod -R go-rwx " + shellQuote(dir)
				}
			}
			if others > 0 {
				perms.Status = StatusWarning
				perms.Found = append(perms.Found, protocol.Count(others, "élément appartient", "éléments appartiennent")+" à un autre compte (dossier créé avec sudo ?)")
				perms.Hint = "rendez-vous propriétaire du dossier (sudo chown -R $USER " + shellQuote(dir) + ")"
			}
		}
	}

	if verr != nil {
		disk.Status = StatusWarning
		disk.Found = []string{fmt.Sprintf("espace libre inconnu : %v", verr)}
		return
	}
	disk.Found = []string{fmt.Sprintf("%s libres sur %s", humanBytes(vol.Free), humanBytes(vol.Total))}
	if isCase {
		if n, err := treeSize(dir); err == nil {
			disk.Found = append(disk.Found, fmt.Sprintf("le dossier occupe %s", humanBytes(uint64(n))))
		}
	}
	switch {
	case vol.Free < 200<<20:
		disk.Status = StatusProblem
		disk.Hint = "libérez de la place : une capture (image, page, archive WARC) occupe souvent plusieurs mégaoctets, le PDF du dossier davantage"
	case vol.Free < 2<<30:
		disk.Status = StatusWarning
		disk.Hint = "moins de 2 Go : libérez de la place avant une série de captures"
	default:
		disk.Status = StatusOK
	}
	return
}

// openEntries counts the case's files and folders readable by others, and
// those owned by another user.
func openEntries(dir string) (open, others int) {
	uid := os.Getuid()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		if d.IsDir() && d.Name() == "out" && filepath.Dir(p) == dir {
			return filepath.SkipDir // regenerable outputs, checked by nothing else
		}
		st, err := d.Info()
		if err != nil {
			return nil
		}
		if st.Mode().Perm()&0o077 != 0 {
			open++
		}
		if owner, ok := sysinfo.Owner(st); ok && owner != uid {
			others++
		}
		return nil
	})
	return open, others
}

func treeSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if st, err := d.Info(); err == nil {
				n += st.Size()
			}
		}
		return nil
	})
	return n, err
}

func doctorTSA(ctx context.Context, cs *protocol.Case, req DoctorRequest) Finding {
	f := Finding{Topic: "timestamping", Title: "Horodatage (autorité RFC 3161)"}
	cfg, err := tsa.ResolveConfig(cs, nil, "")
	if err != nil {
		f.Status, f.Found = StatusProblem, []string{err.Error()}
		f.Hint = "corrigez la section horodatage de dossier.yaml ou de " + tsa.UserConfigPath()
		return f
	}
	f.Found = append(f.Found, cfg.Notes...)
	if len(cfg.Authorities) == 0 {
		f.Status = StatusWarning
		f.Found = append(f.Found, "aucune autorité configurée : les pièces et le journal ne reçoivent pas de jeton d'un tiers")
		f.Hint = "indiquez une ou plusieurs autorités dans horodatage.autorites de dossier.yaml ou de " + tsa.UserConfigPath() + " (voir le README)"
		return f
	}
	f.Status = StatusOK
	f.Found = append(f.Found, fmt.Sprintf("%s (%s)", protocol.Count(len(cfg.Authorities), "autorité configurée", "autorités configurées"), cfg.Source))
	roots, rerr := cfg.Roots()
	switch {
	case rerr != nil:
		f.Status = StatusProblem
		f.Found = append(f.Found, fmt.Sprintf("racine de confiance illisible : %v", rerr))
		f.Hint = "corrigez racine dans " + tsa.UserConfigPath() + " (fichier PEM du certificat racine de l'autorité)"
		roots = nil
	case cfg.Root == "":
		f.Found = append(f.Found, "aucune racine de confiance : un jeton sera vérifié (signature, empreinte) sans savoir qui en répond")
		if f.Status == StatusOK {
			f.Status = StatusWarning
			f.Hint = "indiquez racine (certificat racine PEM de l'autorité) dans " + tsa.UserConfigPath()
		}
	default:
		f.Found = append(f.Found, "racine de confiance : "+cfg.Root)
	}
	if req.Offline {
		for _, u := range cfg.Authorities {
			f.Found = append(f.Found, u+" : non interrogée (--offline)")
		}
		return f
	}
	// A token for a digest of no piece: proof that the authority answers and
	// signs, without sending anything of the case.
	digest := sha256.Sum256([]byte("anef-dossier doctor " + time.Now().UTC().Format(time.RFC3339Nano)))
	for _, u := range cfg.Authorities {
		c, cancel := context.WithTimeout(ctx, req.TSATimeout)
		_, info, err := tsa.Stamp(c, u, digest[:], roots)
		cancel()
		switch {
		case err == nil:
			who := info.Signer
			if info.Status == protocol.TimestampVerified {
				who += ", chaîne vérifiée jusqu'à la racine"
			}
			f.Found = append(f.Found, fmt.Sprintf("%s : joignable, jeton d'essai valide (%s)", u, who))
		case errors.Is(err, tsa.ErrUnreachable) || errors.Is(err, context.DeadlineExceeded):
			f.Status = StatusWarning
			f.Found = append(f.Found, fmt.Sprintf("%s : injoignable (%v)", u, err))
			f.Hint = "vérifiez la connexion à Internet ; sans autorité joignable, les captures sont faites et l'horodatage se rattrape plus tard (anef-dossier timestamp)"
		default:
			f.Status = StatusProblem
			f.Found = append(f.Found, fmt.Sprintf("%s : réponse refusée : %v", u, err))
			f.Hint = "vérifiez l'adresse de l'autorité et sa racine de confiance"
		}
	}
	return f
}

// fontGroups are the families a page most often falls back to when its web
// fonts fail, by the file names of the fonts that provide them. The PDFs
// embed their own fonts (Liberation): only captured pages depend on these.
var fontGroups = []struct {
	name  string
	files []string // normalised file-name prefixes
}{
	{"sans empattement (Arial, Helvetica, Liberation Sans, DejaVu Sans, Segoe UI)", []string{"arial", "helvetica", "liberationsans", "dejavusans", "segoeui", "notosans", "roboto"}},
	{"avec empattement (Times, Liberation Serif, DejaVu Serif, Georgia)", []string{"times", "liberationserif", "dejavuserif", "georgia", "notoserif"}},
	{"émojis (Noto Color Emoji, Segoe UI Emoji, Apple Color Emoji)", []string{"notocoloremoji", "seguiemj", "applecoloremoji", "twemoji"}},
}

// fontDirs are where this system keeps its fonts.
func fontDirs() []string {
	home, _ := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		win := os.Getenv("WINDIR")
		if win == "" {
			win = `C:\Windows`
		}
		return []string{filepath.Join(win, "Fonts"), filepath.Join(os.Getenv("LOCALAPPDATA"), "Microsoft", "Windows", "Fonts")}
	case "darwin":
		return []string{"/System/Library/Fonts", "/Library/Fonts", filepath.Join(home, "Library", "Fonts")}
	}
	return []string{"/usr/share/fonts", "/usr/local/share/fonts", filepath.Join(home, ".local", "share", "fonts"), filepath.Join(home, ".fonts")}
}

func doctorFonts() Finding {
	f := Finding{Topic: "fonts", Title: "Polices (pages capturées)"}
	have := make([]int, len(fontGroups))
	total, seen := 0, 0
	for _, d := range fontDirs() {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if seen++; seen > 200000 {
				return filepath.SkipAll
			}
			if err != nil || e.IsDir() {
				return nil
			}
			name := strings.ToLower(e.Name())
			ext := filepath.Ext(name)
			if ext != ".ttf" && ext != ".otf" && ext != ".ttc" && ext != ".otc" {
				return nil
			}
			total++
			norm := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(name)
			for i, g := range fontGroups {
				for _, pre := range g.files {
					if strings.HasPrefix(norm, pre) {
						have[i]++
						break
					}
				}
			}
			return nil
		})
	}
	f.Status = StatusOK
	f.Found = append(f.Found, fmt.Sprintf("%s trouvés ; les PDF produits embarquent leurs propres polices", protocol.Count(total, "fichier de police", "fichiers de police")))
	var missing []string
	for i, g := range fontGroups {
		if have[i] == 0 {
			missing = append(missing, g.name)
		}
	}
	if len(missing) > 0 {
		f.Status = StatusWarning
		f.Found = append(f.Found, "absentes : "+strings.Join(missing, " ; ")+" ; une page qui les demande sera capturée avec une autre police, ou des carrés à la place des émojis (la pièce le note)")
		switch runtime.GOOS {
		case "linux":
			f.Hint = "sudo apt install fonts-liberation fonts-dejavu fonts-noto-color-emoji"
		default:
			f.Hint = "réinstallez les polices du système, ou installez celles qui manquent"
		}
	} else {
		f.Found = append(f.Found, "présentes : polices sans empattement, avec empattement et émojis")
	}
	return f
}

func doctorTools() Finding {
	return Finding{Topic: "tools", Title: "Programmes extérieurs", Status: StatusOK, Found: []string{
		"aucun n'est nécessaire : rendu des PDF, vérification, export, liste et interface web n'utilisent que ce programme (ni qpdf, ni poppler, ni openssl) ; seules les captures utilisent le navigateur",
	}}
}

// underDir tells whether path is dir or inside it (any case on Windows,
// whose file names are case-insensitive).
func underDir(dir, path string) bool {
	if runtime.GOOS == "windows" {
		dir, path = strings.ToLower(dir), strings.ToLower(path)
	}
	return within(dir, path)
}

func humanBytes(n uint64) string {
	switch {
	case n >= 1<<30:
		return strings.Replace(fmt.Sprintf("%.1f Go", float64(n)/(1<<30)), ".", ",", 1)
	case n >= 1<<20:
		return fmt.Sprintf("%d Mo", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d ko", n>>10)
	}
	return fmt.Sprintf("%d octets", n)
}

func shellQuote(s string) string {
	if !strings.ContainsAny(s, " '\"$`\\!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
