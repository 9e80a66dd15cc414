/* cb_corr.h - correlation and robust summaries. Pure functions, no allocation failures reported:
 * where a value cannot be computed the result is NaN. */
#ifndef CB_CORR_H
#define CB_CORR_H

/* Pearson r = sum (a-ma)(b-mb) / sqrt(sum (a-ma)^2 sum (b-mb)^2); NaN if either vector is constant or n < 2,
 * NaN if any value is NaN. Clipped to [-1, 1]. */
double cb_pearson(const double *a /* (n) */, const double *b /* (n) */, int n);
/* Same with element strides: a[i*sa], b[i*sb]. */
double cb_pearson_strided(const double *a, int sa, const double *b, int sb, int n);
/* Pearson over the pairs where neither a[i*sa] nor b[i*sb] is NaN (pairwise deletion). */
double cb_pearson_pairwise(const double *a, int sa, const double *b, int sb, int n);
/* Median of the non-NaN values of v (v is not modified); mean of the two middle values for even counts;
 * NaN if all are NaN (or n <= 0, or no memory). *n_nan (if not NULL) = number of NaN values. */
double cb_median_skipnan(const double *v /* (n) */, int n, int *n_nan /* may be NULL */);
/* Spearman-Brown prophecy: n r / (1 + (n - 1) r). */
double cb_spearman_brown(double r, double n_factor);

#endif
