// QR codes for the EPC payment code on letters: Debian's libqrencode-dev.
#include <qrencode.h>
