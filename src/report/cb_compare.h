/* cb_compare.h - a leaderboard against another leaderboard CSV (a published
 * one or an earlier run): rank changes and score deltas. */
#ifndef CB_COMPARE_H
#define CB_COMPARE_H

#include "cb_leaderboard.h"
#include "cb_status.h"
#include "cb_strbuf.h"

/* Appends a Markdown table to out: per model of lb, old rank -> new rank,
 * the change (+k: k places up), the average and its delta, and the delta
 * of every benchmark column both leaderboards have; then the models only
 * the other CSV has ("removed"). Models only in lb are "new".
 * other_csv: header rank,model,average[,<benchmark>...][,<benchmark>.layer...]
 * (RFC 4180 quoting; other columns ignored); empty average = missing.
 * Deltas use the 4-decimal values the CSV files hold. */
cb_status cb_leaderboard_compare(const cb_leaderboard *lb, const char *other_csv, cb_strbuf *out);

#endif
