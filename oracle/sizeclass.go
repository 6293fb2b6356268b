package main

// Allocation sizes of Go's memory allocator, needed to know how many buckets
// an array allocation really holds (the runtime sizes its overflow pool by the
// rounded-up allocation size). The size classes are the same from Go 1.19 to
// Go 1.23; Go 1.22 added the allocation header (versions.go).

// smallObjectClasses lists the byte sizes of the small-object size classes
// (objects up to 32 KiB), ascending.
var smallObjectClasses = []uintptr{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896,
	1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456,
	4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
	12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264,
	28672, 32768,
}

const (
	largeObjectThreshold = 32768 // requests of this size and above get whole pages
	allocPageSize        = 8192
	// Go 1.22+: a small object with pointers above headerlessMax bytes gets
	// a mallocHeaderSize-byte header inside its size class.
	mallocHeaderSize = 8
	headerlessMax    = 512
)

// classSize returns the smallest size class that holds n bytes (n at most
// largeObjectThreshold).
func classSize(n uintptr) uintptr {
	for _, c := range smallObjectClasses {
		if c >= n {
			return c
		}
	}
	panic("classSize: not a small object")
}

// allocSize returns how many bytes of an allocation of n bytes the program
// may use (Go: runtime.roundupsize); pointers says whether the object holds
// pointers, which matters from Go 1.22 on.
func allocSize(n uintptr, pointers bool) uintptr {
	if !rt.mallocHeaders {
		if n < largeObjectThreshold {
			return classSize(n)
		}
	} else if n <= largeObjectThreshold-mallocHeaderSize {
		if pointers && n > headerlessMax {
			return classSize(n+mallocHeaderSize) - mallocHeaderSize
		}
		return classSize(n)
	}
	return (n + allocPageSize - 1) / allocPageSize * allocPageSize
}

// arrayLen returns the number of buckets in the allocation of a bucket array
// for 2^b buckets of bucketsize bytes (pointers: whether a bucket holds
// pointers): 2^b, plus for b >= 4 a pool of spare overflow buckets sized
// 2^(b-4) and then stretched to fill the allocation.
func arrayLen(b uint8, bucketsize uintptr, pointers bool) uintptr {
	n := uintptr(1) << b
	if b < 4 {
		return n
	}
	n += uintptr(1) << (b - 4)
	return allocSize(n*bucketsize, pointers) / bucketsize
}
