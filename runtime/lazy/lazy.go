// Package lazy holds package-level tables built on first use.
//
// A package-level map literal is built by the package's initialisation, in
// every process: kscript --help paid for the tables of the simulated
// kernel, the shell's help, the explanations and the message catalogues it
// never reads (about 200K instructions and a few dozen page faults of
// heap). A Map is a plain struct holding a constant function, which the
// compiler lays out as static data: nothing runs, nothing is allocated,
// until the first Get builds the table.
package lazy

import "sync"

// Map is a map built by its function the first time it is read.
type Map[K comparable, V any] struct {
	once  sync.Once
	build func() map[K]V
	m     map[K]V
}

// NewMap returns the map build makes, to be made on first use. Build must
// not read the Map itself.
func NewMap[K comparable, V any](build func() map[K]V) *Map[K, V] {
	return &Map[K, V]{build: build}
}

// Get returns the map, building it on the first call. It is safe for
// concurrent use; callers must not modify the map.
func (l *Map[K, V]) Get() map[K]V {
	l.once.Do(func() { l.m = l.build() })
	return l.m
}
