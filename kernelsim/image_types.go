package kernelsim

// ImageSlices is one of the types a boot image (runtime/grade/kclone)
// names its types from. A restored kernel's values of one type are an
// arena, made as a slice of that type; the image names the slice type
// when the kernel's own types lead to it, and otherwise the restoring
// process looks it up with reflect.SliceOf, a search through every type
// of the binary (some 5,000 instructions each, a dozen of them in every
// kscript run). Its fields are the slices of the types kclone keeps in
// arenas that the kernel holds in no slice of its own; a kclone test
// (TestImageNamesArenaSlices) says which are missing.
type ImageSlices struct {
	_ []Kernel
	_ []KmemCache
	_ []Module
	_ []VMStruct
	_ []Inode
	_ []Cdev
	_ []Class
	_ []FileOperations
	_ []MiscDevice
	_ []charDeviceStruct
	_ []irqAction
	_ []memSection
	_ []slabChunk
}
