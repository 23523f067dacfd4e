//go:build !linux

package grade

import "os"

// newWorkerPage returns nil: shared pages are Linux's here
// (page_linux.go); workers answer each submission at once.
func newWorkerPage() (*workerPage, *os.File) { return nil, nil }

// mapWorkerPage returns nil: see newWorkerPage.
func mapWorkerPage() *workerPage { return nil }

func (p *workerPage) release() {}
