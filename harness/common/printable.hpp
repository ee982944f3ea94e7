// SPDX-License-Identifier: MIT
// Names from a case file (a case's name, a file's path) as the text reports and error messages
// print them: a name may hold any character JSON allows, and a control character written raw to
// a terminal or a Markdown table acts (a bell, a colour, a broken row) instead of showing.
#pragma once

#include <string>
#include <string_view>

namespace gradcheck {

// `text` with each ASCII control character (U+0000..U+001F, U+007F) written as \xNN, and every
// other byte (UTF-8 included) as it is; a text without one is returned unchanged. The JSON report
// keeps names exact (JSON escapes them itself); this is for the formats read by people.
std::string printable(std::string_view text);

}  // namespace gradcheck
