package protocol

// LoadState reads the journal (under a shared lock) and folds it over the
// case's protocol and dossier.yaml: the one way every command and the renderer
// see a case. A broken journal is an error. An unreadable dossier.yaml does
// not stop the fold (the dossier is then nil; [Case.Dossier] tells why), since
// `check` is where its problems are reported.
func (c *Case) LoadState() (*State, *Dossier, error) {
	events, err := c.Events()
	if err != nil {
		return nil, nil, err
	}
	p, err := LoadProtocol(c.Templates, c.ProtocolID(events))
	if err != nil {
		return nil, nil, err
	}
	d, _, err := c.Dossier()
	if err != nil {
		d = nil
	}
	return FoldDossier(p, events, d), d, nil
}

// Protocol loads the protocol of the case being changed.
func (t *Tx) Protocol() (*Protocol, error) {
	return LoadProtocol(t.c.Templates, t.c.ProtocolID(t.events))
}
