package main

import (
	"context"
	"errors"

	"github.com/urfave/cli/v2"

	"anefdossier/app"
	"anefdossier/export"
	"anefdossier/protocol"
)

func init() {
	register(&cli.Command{
		Name:      "export",
		Usage:     "archive le dossier entier avec un manifeste des empreintes SHA-256 (à remettre à l'avocat)",
		UsageText: "anef-dossier [-C DOSSIER] export FICHIER.tar.gz|FICHIER.zip [--sans-out] [--json]",
		Description: `Écrit une seule archive du dossier : dossier.yaml, journal, pièces, jetons d'horodatage, documents
produits (out/, sauf --sans-out), et MANIFEST.sha256 qui donne l'empreinte SHA-256 de chaque fichier.
Jamais le profil du navigateur (.navigateur/) ni le verrou. L'archive est relue et comparée au manifeste
avant d'être nommée ; elle n'écrase jamais un fichier existant et n'est lisible que par vous (0600).
Sur la copie décompressée, « sha256sum -c MANIFEST.sha256 » et « anef-dossier -C COPIE verify » réussissent.

Exemple :
   anef-dossier -C ~/dossiers/dupont export ~/dupont-2026-03-10.tar.gz
   tar xzf ~/dupont-2026-03-10.tar.gz && cd dupont && sha256sum -c MANIFEST.sha256`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "sans-out", Usage: "n'inclut pas out/ (documents régénérables)"},
			jsonFlag,
		},
		Action: runExport,
	})
}

func runExport(c *cli.Context) error {
	if err := needArgs(c, 1, 1, "un FICHIER d'archive (.tar.gz ou .zip)"); err != nil {
		return err
	}
	dst := c.Args().First()
	if _, err := export.FormatOf(dst); err != nil {
		return usageErr(err.Error(), "exemple : anef-dossier export dupont.tar.gz")
	}
	cs, err := openCase(c)
	if err != nil {
		return err
	}
	res, err := app.Export(context.Background(), cs, dst, export.Options{WithoutOut: c.Bool("sans-out")})
	switch {
	case errors.Is(err, export.ErrInsideCase):
		return usageErr(err.Error(), "écrivez l'archive ailleurs, par exemple dans votre dossier personnel")
	case errors.Is(err, protocol.ErrExists):
		return failure(err.Error(), "choisissez un autre nom : une archive existante n'est jamais écrasée")
	case err != nil:
		return err
	}
	if c.Bool("json") {
		return printJSON(c, res)
	}
	for _, s := range res.Skipped {
		warnf(c, "%s n'est pas un fichier ordinaire (lien ou fichier spécial) : non archivé", s)
	}
	outf(c, "Archive écrite : %s (%s, %s, %d octets)\n", res.Path, res.Format, protocol.Count(len(res.Files), "fichier", "fichiers"), res.ArchiveSize)
	outf(c, "SHA-256 de l'archive : %s\n", res.ArchiveSHA256)
	outf(c, "SHA-256 du manifeste %s/%s : %s\n", res.Root, export.ManifestName, res.ManifestSHA256)
	outf(c, "Vérification sur la copie : cd %s && sha256sum -c %s ; anef-dossier -C %s verify\n", res.Root, export.ManifestName, res.Root)
	return nil
}
