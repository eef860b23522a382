package vmtest

import "io/fs"

// fsWalk calls fn for every entry below the root of fsys (not the root).
func fsWalk(fsys fs.FS, fn func(p string, isDir bool)) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." {
			fn(p, d.IsDir())
		}
		return nil
	})
}
