/* cb_written.h - the record beside a file cortexbench wrote: F.sha256.
 *
 * After writing an HDF5/netCDF file (activations, assemblies, RDM files) cortexbench writes, atomically, beside it
 *   line 1: the SHA-256 of its bytes (64 lower-case hex digits)
 *   line 2: "stat DEV INO SIZE MTIME CTIME" (MTIME, CTIME as seconds.nanoseconds) of the file as written.
 * A file whose current stat still equals line 2 is the file cortexbench wrote, unchanged: any write, truncation,
 * rename over it or copy changes its inode, size or change time (which no user can set). Such a file cannot crash
 * libhdf5, so it is read in-process (cb_isolate) without reading its bytes; a file that changed, or a copy, is read
 * through the isolated reader unless the suite finds its bytes still hash to line 1 (a rerun's check, ~1.5 GB/s).
 * Records of one line (the digest alone: earlier versions) are still read for the digest. */
#ifndef CB_WRITTEN_H
#define CB_WRITTEN_H

#include "cb_status.h"

/* Writes PATH.sha256 for the file at path, whose digest is hex (64 hex digits): atomic (cb_file_write_atomic). */
cb_status cb_written_record(const char *path, const char *hex);
/* 1 when PATH.sha256 exists and its stat line equals the file's current stat; 0 otherwise (no error is set). */
int cb_written_unchanged(const char *path);
/* The digest of PATH.sha256's first line into hex (65 bytes: 64 digits + NUL); 0 when there is no well-formed
 * record. */
int cb_written_digest(const char *path, char *hex);

#endif
