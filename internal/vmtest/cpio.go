package vmtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// cpioWriter writes the "newc" (SVR4, no CRC) archive format that the Linux
// kernel unpacks as an initramfs (Documentation/driver-api/early-userspace/
// buffer-format.rst). Parent directories are created on demand, once.
type cpioWriter struct {
	w    *bufio.Writer
	ino  uint32
	dirs map[string]bool
	err  error
}

func newCPIOWriter(w io.Writer) *cpioWriter {
	return &cpioWriter{w: bufio.NewWriterSize(w, 1<<20), ino: 1, dirs: map[string]bool{".": true, "/": true, "": true}}
}

func (c *cpioWriter) header(name string, mode uint32, size int) {
	c.headerDev(name, mode, size, 0, 0)
}

func (c *cpioWriter) headerDev(name string, mode uint32, size int, major, minor uint32) {
	if c.err != nil {
		return
	}
	c.ino++
	name = strings.TrimPrefix(name, "/")
	// Fields: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	// devminor, rdevmajor, rdevminor, namesize (with NUL), check.
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, 1, 0, size, 0, 0, major, minor, len(name)+1, 0)
	c.write([]byte(hdr))
	c.write([]byte(name))
	c.write([]byte{0})
	c.pad(len(hdr) + len(name) + 1)
}

func (c *cpioWriter) write(b []byte) {
	if c.err == nil {
		_, c.err = c.w.Write(b)
	}
}

func (c *cpioWriter) pad(n int) {
	if r := n % 4; r != 0 {
		c.write(make([]byte, 4-r))
	}
}

// mkdirAll adds dir and its missing parents.
func (c *cpioWriter) mkdirAll(dir string) {
	dir = path.Clean("/" + dir)
	if c.dirs[dir] {
		return
	}
	c.mkdirAll(path.Dir(dir))
	c.dirs[dir] = true
	c.header(dir, 0o040755, 0)
}

// file adds a regular file with the given content.
func (c *cpioWriter) file(name string, mode os.FileMode, data []byte) {
	c.mkdirAll(path.Dir(name))
	c.header(name, 0o100000|uint32(mode.Perm()), len(data))
	c.write(data)
	c.pad(len(data))
}

// hostFile copies a file of the host (following symlinks) to name.
func (c *cpioWriter) hostFile(name, src string) {
	data, err := os.ReadFile(src)
	if err != nil {
		if c.err == nil {
			c.err = err
		}
		return
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(src); err == nil {
		mode = fi.Mode()
	}
	c.file(name, mode, data)
}

// hostTree copies the regular files below the host directory src to dst.
func (c *cpioWriter) hostTree(dst, src string) {
	var names []string
	root := os.DirFS(src)
	err := fsWalk(root, func(p string, isDir bool) {
		if !isDir {
			names = append(names, p)
		}
	})
	if err != nil && c.err == nil {
		c.err = err
	}
	sort.Strings(names)
	c.mkdirAll(dst)
	for _, n := range names {
		c.hostFile(path.Join(dst, n), path.Join(src, n))
	}
}

// symlink adds a symbolic link name → target.
func (c *cpioWriter) symlink(name, target string) {
	c.mkdirAll(path.Dir(name))
	c.header(name, 0o120777, len(target))
	c.write([]byte(target))
	c.pad(len(target))
}

// charDev adds a character device node, such as /dev/console, which the
// kernel opens for init before any devtmpfs is mounted.
func (c *cpioWriter) charDev(name string, major, minor uint32) {
	c.mkdirAll(path.Dir(name))
	c.headerDev(name, 0o020600, 0, major, minor)
}

// close writes the trailer and flushes.
func (c *cpioWriter) close() error {
	c.header("TRAILER!!!", 0, 0)
	if c.err != nil {
		return c.err
	}
	return c.w.Flush()
}
