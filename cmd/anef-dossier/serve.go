package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"

	"anefdossier/web"
)

var serveCmd = command{
	name:    "serve",
	summary: "interface web locale (127.0.0.1) : les dossiers dans le navigateur, sans terminal",
	usage:   "anef-dossier serve [DOSSIERS] [--no-open] [--max-upload MO]",
	help: `Sert sur 127.0.0.1 seulement, sur un port libre, l'interface web des dossiers qui sont sous DOSSIERS
(par défaut le dossier courant) et ouvre le navigateur. L'adresse affichée contient une clé secrète :
sans elle, tout est refusé. Arrêt : Ctrl+C.

Exemple :
   anef-dossier serve ~/dossiers`,
	run: runServe,
}

func runServe(e *env, args []string) error {
	fs := e.flags()
	noOpen := fs.Bool("no-open", "", "n'ouvre pas le navigateur (l'adresse est affichée)")
	maxMB := fs.Int("max-upload", web.DefaultMaxUpload>>20, "taille maximale d'un envoi de fichiers, en Mo")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 0, 1, "au plus un DOSSIERS"); err != nil {
		return err
	}
	root := e.dir
	if len(pos) == 1 {
		root = pos[0]
	}
	if *maxMB < 1 {
		return usageErr("--max-upload doit être d'au moins 1 Mo", "exemple : --max-upload 200")
	}
	return serveRoot(e, root, "", *noOpen, int64(*maxMB)<<20)
}

// serveRoot runs the web interface until Ctrl+C; openCase is shown first.
func serveRoot(e *env, root, openCase string, noOpen bool, maxUpload int64) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return web.Run(ctx, web.Options{Root: root, OpenCase: openCase, Templates: e.tmplFS(), MaxUpload: maxUpload, NoOpen: noOpen, Out: e.stdout})
}

// serveDemo opens the web interface on the demo case (demo --serve).
func serveDemo(e *env, dir string, noOpen bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	return serveRoot(e, filepath.Dir(abs), filepath.Base(abs), noOpen, 0)
}
