package kernelsim

// kmemleakState holds kmemleak's objects (kmemleak.go).
type kmemleakState struct{}
