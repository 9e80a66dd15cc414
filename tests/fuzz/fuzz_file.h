/* fuzz_file.h - hands libFuzzer's bytes to a reader that takes a path.
 *
 * The readers under test open files by name (HDF5, libinih, protobuf via
 * cb_file_read_all), so each input is written to one file per process in a
 * private directory (tmpfs when available) and the reader is pointed at it.
 * The directory holds nothing else: the CSV reader finds no zip beside the
 * CSV, the config reader no relative file. */
#ifndef FUZZ_FILE_H
#define FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes data to <private dir>/<name> and returns that path (static
 * storage, overwritten by the next call); NULL when the file cannot be
 * written (the input is then skipped). */
static const char *fuzz_file_put(const char *name, const uint8_t *data, size_t size) {
  static char dir[256] = "";
  static char path[512];
  if (dir[0] == '\0') {
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/cbfuzz.XXXXXX", base);
    if (mkdtemp(dir) == NULL) {
      dir[0] = '\0';
      return NULL;
    }
  }
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL) return NULL;
  size_t w = size > 0 ? fwrite(data, 1, size, f) : 0;
  if (fclose(f) != 0 || w != size) return NULL;
  return path;
}

#endif
