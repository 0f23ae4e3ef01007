// Package lazyfs is a lazy file system: a FUSE file system (on go-fuse)
// mounted over a directory of a node that shows the directory's contents
// and keeps every change in memory until it is synced, so that a simulated
// power loss (FS.Lose) can drop what was not. It is what the storage
// faults of package faults run on a node: the ducktape binary (or a test
// binary, see MainIfHelper) runs it there as the helper `lazyfs serve`
// (Main), controlled over a unix socket (Request, Call).
//
// What is kept in memory, and what a power loss drops:
//
//   - File data. Writes, truncations and fallocate go to the file's
//     content (one per backing file, shared by its hard links and open
//     handles): 4 KiB pages over the backing file, plus its size. fsync
//     or fdatasync of the file (or a write through a descriptor opened
//     with O_SYNC or O_DSYNC) writes them to the backing file and syncs it.
//     Closing a file writes nothing. Lose drops every content.
//   - Metadata changes, as a journaling file system (ext4, xfs) keeps them:
//     creating, linking, renaming and removing files and directories, and
//     changing modes, owners and times, are applied to the backing
//     directory at once and recorded in a journal, in order; an fsync or
//     fdatasync of any file or directory of the mount commits the journal
//     (every earlier change becomes durable). Lose undoes the changes since
//     the last commit, newest first. What was removed or replaced is kept
//     in TrashDir until then. Extended attributes are written through and
//     never undone.
//
// A power loss (Lose) first SIGKILLs every process that uses the mount
// (Holders), then stops and unmounts it, drops the contents, undoes the
// journal and mounts it again: the kernel's caches go with the old mount,
// as with a reboot. A clean Unmount writes and syncs everything first.
//
// Invariants: the backing directory holds exactly what survives a power
// loss once the journal is undone; a content's pages and size are the
// file's bytes as the mount shows them (see content); every operation of
// the mount runs inside its instance (instance.enter), so Lose and
// Unmount can wait until none is under way before they touch the backing
// directory.
//
// Locking: FS.mu guards the contents map, the journal and the open counts,
// and is held across every name change (so changes are applied and
// journaled one at a time); a content's mu guards its data. FS.mu is
// taken before a content's mu, never after. The rules (FS.AddRule) are an
// immutable set swapped atomically. FS.life serializes Mount, Lose and
// Unmount. All exported methods are safe for concurrent use.
//
// Files: fs.go (the FS, mounts, Lose, Unmount, Status, rules),
// content.go (file data), journal.go (metadata changes), node.go and
// file.go (the FUSE operations), backing.go (what they do to the backing
// directory), rules.go (disk errors and delays), procs.go (mounts and the
// processes that use them), control.go (the socket protocol), main.go (the
// helper's command line, Reap, Probe), corrupt.go (faults.corrupt).
package lazyfs
