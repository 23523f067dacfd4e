package kclone

import "os"

// imageFile returns the image of s, written to a temporary file that is
// unlinked at once and read back as openImage reads a boot cache's file
// (mapped, its arenas of plain data mapped copy-on-write by each copy);
// nil when any step fails, and the lanes of s copy the snapshot itself.
// The file is the process's own: no other process can open it, and it
// goes when the process does. Its checksum is MarshalBinary's own (no
// binary's key: Cache.key), and its stamp is taken as written, since
// this process wrote it (see trailerSize).
func imageFile(s *Snapshot) *Image {
	im, err := s.Image()
	if err != nil {
		return nil
	}
	return tempImage(im)
}

// tempImage returns im as imageFile does: written to a temporary file
// of the process's own and read back from it; nil when a step fails.
func tempImage(im *Image) *Image {
	data, err := im.MarshalBinary()
	if err != nil {
		return nil
	}
	f, err := os.CreateTemp("", ".kscript-lane-*.img")
	if err != nil {
		return nil
	}
	os.Remove(f.Name())
	m, err := []byte(nil), error(nil)
	if _, err = f.Write(data); err == nil {
		m, err = readFile(f, int64(len(data)))
	}
	if err == nil {
		im, err = parseImage(m, stampOf(m), 0)
	}
	if err != nil {
		f.Close()
		return nil
	}
	im.file, im.data = f, m
	return im
}
