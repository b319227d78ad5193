// Pango lays out text (shaping, line breaking, French hyphenation-free justification) and cairo
// writes it as PDF with the fonts embedded: Debian's libpango1.0-dev and libcairo2-dev.
#include <pango/pangocairo.h>
#include <cairo/cairo-pdf.h>
