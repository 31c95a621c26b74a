#include "error.h"

#include <cstring>

namespace stf {

// "File exists (EEXIST)". strerrordesc_np/strerrorname_np (glibc >= 2.32) are thread-safe and
// not localized, so messages stay greppable; older libcs get plain strerror().
std::string Error::errno_text(int err)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *desc = strerrordesc_np(err);
	const char *name = strerrorname_np(err);
	if (!desc || !name)
		return "Unknown error " + std::to_string(err);
	return std::string(desc) + " (" + name + ")";
#else
	return std::strerror(err);
#endif
}

} // namespace stf
