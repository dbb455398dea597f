// Package examples holds the offline demonstration: a small local site
// imitating what a person meets (an ANEF page refusing a filing, the "Nous
// contacter" form and its automatic reply, a préfecture page without any
// appointment slot, a préfecture page describing the procedure) and the
// fictitious case the demo builds with it. Every name, address and number in
// it is fictitious.
package examples

import "embed"

// Site is the imitation site served on loopback by `anef-dossier demo`.
//
//go:embed site
var Site embed.FS

// Demo holds the demo case's dossier.yaml and its imported sample pieces.
//
//go:embed demo
var Demo embed.FS
