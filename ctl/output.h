// All printing in one place: every read command in human form or JSON (-j).
// JSON errors are {"error": "..."} on stdout, as bpftool does, so scripts parse one stream.
#pragma once

#include <ostream>
#include <vector>

#include "error.h"
#include "model.h"

namespace stf {

void print_status(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json);
void print_stats(std::ostream &os, const std::vector<AttachmentStats> &list, bool json);
void print_prefixes(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json);
void print_filters(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json);
void print_error(std::ostream &os, const Error &e, bool json);

} // namespace stf
