package web

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os/exec"
	"runtime"
	"time"

	"anefdossier/app"
	"anefdossier/protocol"
)

// Options are those of `anef-dossier serve`.
type Options struct {
	Root      string // folder of cases served
	Templates fs.FS  // nil: embedded
	MaxUpload int64  // bytes; 0: DefaultMaxUpload
	Addr      string // "" : 127.0.0.1 on a free port
	NoOpen    bool   // do not open the browser
	OpenCase  string // case to show first (name under Root), "" for the home page
	Out       io.Writer
}

// Run serves the interface until ctx is done: it prints the address with
// its secret and opens the default browser on it.
func Run(ctx context.Context, o Options) error {
	ws, err := app.NewWorkspace(o.Root, o.Templates)
	if err != nil {
		return err
	}
	s, err := New(Config{Workspace: ws, MaxUpload: o.MaxUpload})
	if err != nil {
		return err
	}
	l, err := s.Listen(o.Addr)
	if err != nil {
		return err
	}
	u := s.URL()
	if o.OpenCase != "" {
		u += "&aller=" + url.QueryEscape(caseURL(o.OpenCase)+"/")
	}
	fmt.Fprintf(o.Out, "Interface web de anef-dossier sur %s\n", ws.Root)
	fmt.Fprintf(o.Out, "Ouvrez cette adresse dans votre navigateur (elle contient une clé secrète : ne la partagez pas) :\n  %s\n", u)
	fmt.Fprintf(o.Out, "Arrêt : Ctrl+C.\n")
	if !o.NoOpen {
		if err := openBrowser(u); err != nil {
			fmt.Fprintf(o.Out, "Navigateur non ouvert (%v) : copiez l'adresse ci-dessus.\n", err)
		}
	}
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	go runDueLoop(ctx, ws, o.Out)
	return s.Serve(l)
}

// runDueLoop takes the attempts of the plans (`capture plan`) that fall due
// while the interface is open, as `run-due` does for the system's scheduler:
// at start, then every minute. The case lock keeps it from taking a moment
// that the scheduler or another run has taken.
func runDueLoop(ctx context.Context, ws *app.Workspace, out io.Writer) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		res, err := ws.RunDue(ctx, nil)
		for _, r := range res {
			what := "manquée (inscrite au journal)"
			switch r.Attempt.Outcome {
			case protocol.AttemptMade:
				what = fmt.Sprintf("faite, pièce n°%d", r.Attempt.Piece)
			case protocol.AttemptFailed:
				what = "échouée : " + r.Attempt.Reason
			}
			fmt.Fprintf(out, "%s, plan n°%s : tentative prévue le %s %s\n", r.Case, r.Plan, protocol.FrDateTime(r.Attempt.Due), what)
		}
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(out, "Tentatives programmées : %v\n", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// openBrowser opens u in the default browser of the system.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	case "darwin":
		cmd = exec.Command("open", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}
