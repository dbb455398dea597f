package main

import (
	"context"
	"errors"

	"anefdossier/app"
	"anefdossier/export"
	"anefdossier/protocol"
)

var exportCmd = command{
	name:    "export",
	summary: "archive le dossier entier avec un manifeste des empreintes SHA-256 (à remettre à l'avocat)",
	usage:   "anef-dossier [-C DOSSIER] export FICHIER.tar.gz|FICHIER.zip [--sans-out] [--json]\nanef-dossier [-C DOSSIER] export --format wacz FICHIER.wacz",
	help: `Écrit une seule archive du dossier : dossier.yaml, journal, pièces, jetons d'horodatage, documents
produits (out/, sauf --sans-out), et MANIFEST.sha256 qui donne l'empreinte SHA-256 de chaque fichier.
Jamais le profil du navigateur (.navigateur/) ni le verrou. L'archive est relue et comparée au manifeste
avant d'être nommée ; elle n'écrase jamais un fichier existant et n'est lisible que par vous (0600).
Sur la copie décompressée, « sha256sum -c MANIFEST.sha256 » et « anef-dossier -C COPIE verify » réussissent.

Avec --format wacz, écrit les archives web (WARC) des captures en un seul paquet WACZ 1.1.1, que
ReplayWeb.page et les outils d'archivage du web ouvrent et rejouent (liste des pages, index, empreintes).

Exemple :
   anef-dossier -C ~/dossiers/dupont export ~/dupont-2026-03-10.tar.gz
   tar xzf ~/dupont-2026-03-10.tar.gz && cd dupont && sha256sum -c MANIFEST.sha256`,
	run: runExport,
}

func runExport(e *env, args []string) error {
	fs := e.flags()
	withoutOut := fs.Bool("sans-out", "", "n'inclut pas out/ (documents régénérables)")
	format := fs.String("format", "", "", "wacz : les archives web des captures en un paquet WACZ")
	asJSON := fs.Bool("json", "", "sortie JSON (pour d'autres outils)")
	pos, err := fs.parse(e, args)
	if err != nil {
		return err
	}
	if err := fs.needArgs(pos, 1, 1, "un FICHIER d'archive (.tar.gz ou .zip)"); err != nil {
		return err
	}
	dst := pos[0]
	if *format != "" {
		return runExportWACZ(e, *format, dst, *asJSON)
	}
	if _, err := export.FormatOf(dst); err != nil {
		return usageErr(err.Error(), "exemple : anef-dossier export dupont.tar.gz")
	}
	cs, err := e.openCase()
	if err != nil {
		return err
	}
	res, err := app.Export(context.Background(), cs, dst, export.Options{WithoutOut: *withoutOut})
	switch {
	case errors.Is(err, export.ErrInsideCase):
		return usageErr(err.Error(), "écrivez l'archive ailleurs, par exemple dans votre dossier personnel")
	case errors.Is(err, export.ErrIncomplete):
		return failure(err.Error(), "anef-dossier verify nomme le fichier en cause ; remplacez un lien par le fichier lui-même, puis relancez l'export")
	case errors.Is(err, protocol.ErrExists):
		return failure(err.Error(), "choisissez un autre nom : une archive existante n'est jamais écrasée")
	case errors.Is(err, export.ErrNotPortable):
		return failure(err.Error(), "renommez ces fichiers, ajoutés au dossier à la main (aucun n'est inscrit au journal), puis relancez l'export")
	case err != nil:
		return err
	}
	if *asJSON {
		return e.printJSON(res)
	}
	for _, s := range res.Skipped {
		e.warnf("%s n'est pas un fichier ordinaire (lien ou fichier spécial) : non archivé", s)
	}
	e.outf("Archive écrite : %s (%s, %s, %d octets)\n", res.Path, res.Format, protocol.Count(len(res.Files), "fichier", "fichiers"), res.ArchiveSize)
	e.outf("SHA-256 de l'archive : %s\n", res.ArchiveSHA256)
	e.outf("SHA-256 du manifeste %s/%s : %s\n", res.Root, export.ManifestName, res.ManifestSHA256)
	e.outf("Vérification sur la copie : cd %s && sha256sum -c %s ; anef-dossier -C %s verify\n", res.Root, export.ManifestName, res.Root)
	return nil
}
