//go:build !unix

package cachefile

const oNonblock = 0
