// Package lessons carries kscript's lessons inside the binary, so that a
// kscript installed without the repository still runs them ("kscript run
// 03_atomic" anywhere). What it carries is what a student may see: each
// lesson's module and lesson file, the exercise starters and the programs
// the exercises run — never a reference solution. The list below is checked
// by a test against this folder; KSCRIPT_UPDATE=1 go test ./lessons
// rewrites it.
package lessons

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:embed 01_kmalloc.star
//go:embed 01_kmalloc.yaml
//go:embed 02_kfree.star
//go:embed 02_kfree.yaml
//go:embed 03_atomic.star
//go:embed 03_atomic.yaml
//go:embed 04_alloc_pages.star
//go:embed 04_alloc_pages.yaml
//go:embed 05_free_pages.star
//go:embed 05_free_pages.yaml
//go:embed 06_vmalloc.star
//go:embed 06_vmalloc.yaml
//go:embed 07_vfree.star
//go:embed 07_vfree.yaml
//go:embed 08_copy_from_user.star
//go:embed 08_copy_from_user.yaml
//go:embed 09_copy_to_user.star
//go:embed 09_copy_to_user.yaml
//go:embed 10_kmem_cache.star
//go:embed 10_kmem_cache.yaml
//go:embed 11_memory_bugs.star
//go:embed 11_memory_bugs.yaml
//go:embed 12_fragmentation.star
//go:embed 12_fragmentation.yaml
//go:embed GLOSSARY.md
//go:embed README.md
//go:embed exercises/01_kmalloc.star
//go:embed exercises/02_kfree.star
//go:embed exercises/03_atomic.star
//go:embed exercises/04_alloc_pages.star
//go:embed exercises/05_free_pages.star
//go:embed exercises/06_vmalloc.star
//go:embed exercises/07_vfree.star
//go:embed exercises/08_copy_from_user.programs.star
//go:embed exercises/08_copy_from_user.star
//go:embed exercises/09_copy_to_user.programs.star
//go:embed exercises/09_copy_to_user.star
//go:embed exercises/10_kmem_cache.star
//go:embed exercises/11_memory_bugs.star
//go:embed exercises/12_fragmentation.star
var files embed.FS

// FS returns the embedded lessons, laid out as this folder is.
func FS() fs.FS { return files }

// Public reports whether a file of this folder (a slash-separated path
// relative to it) belongs in the embedded, student-visible set.
func Public(name string) bool {
	name = strings.TrimPrefix(path.Clean(strings.ReplaceAll(name, "\\", "/")), "./")
	dir, base := path.Split(name)
	switch {
	case strings.HasSuffix(base, ".solution.star"), strings.HasSuffix(base, "_test.go"), strings.HasSuffix(base, ".go"):
		return false
	case dir == "":
		return strings.HasSuffix(base, ".star") || strings.HasSuffix(base, ".yaml") || base == "README.md" || base == "GLOSSARY.md"
	case dir == "exercises/":
		return strings.HasSuffix(base, ".star")
	}
	return false
}
