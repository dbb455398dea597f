package main

import (
	"context"
	"errors"
	"strings"

	"anefdossier/app"
	"anefdossier/export"
	"anefdossier/protocol"
)

// runExportWACZ is « export --format wacz FICHIER.wacz ».
func runExportWACZ(e *env, format, dst string, asJSON bool) error {
	if format != "wacz" {
		return usageErr("--format « "+format+" » inconnu : seul « wacz » existe", "exemple : anef-dossier export --format wacz dupont.wacz")
	}
	if !strings.HasSuffix(strings.ToLower(dst), ".wacz") {
		return usageErr("le paquet WACZ doit porter l'extension .wacz", "exemple : anef-dossier export --format wacz dupont.wacz")
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	res, err := app.ExportWACZ(context.Background(), cs, dst)
	switch {
	case errors.Is(err, export.ErrInsideCase):
		return usageErr(err.Error(), "écrivez le paquet ailleurs, par exemple dans votre dossier personnel")
	case errors.Is(err, protocol.ErrExists):
		return failure(err.Error(), "choisissez un autre nom : un fichier existant n'est jamais écrasé")
	case errors.Is(err, export.ErrNoWARC):
		return failure(err.Error(), "capturez la page avec « anef-dossier capture URL »")
	case err != nil:
		return failure(err.Error(), "aucun paquet n'a été écrit")
	}
	if asJSON {
		return e.printJSON(res)
	}
	e.outf("Paquet WACZ écrit : %s (%s, %d lignes d'index, %d octets)\n", res.Path, protocol.Count(res.Pages, "capture", "captures"), res.Index, res.Size)
	e.outf("SHA-256 du paquet : %s\n", res.SHA256)
	e.outf("À ouvrir avec ReplayWeb.page (https://replayweb.page) ou tout lecteur WACZ.\n")
	return nil
}
