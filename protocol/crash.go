package protocol

import "anefdossier/internal/crash"

// crashPoint kills the process here if the reliability tests ask for it
// (see package crash).
func crashPoint(name string) { crash.Point(name) }

// crashWanted tells whether this passage at point name is the one to crash.
func crashWanted(name string) bool { return crash.Wanted(name) }

func crashNow() { crash.Now() }
