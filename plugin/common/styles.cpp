#include "plugin/common/styles.h"

#include <algorithm>
#include <initializer_list>

#include "engine/error.h"
#include "plugin/common/i18n.h"

namespace barbershop::plugin {
namespace {

// `text` with each "{}" replaced by the next number: translations may move
// the numbers, and std::string has no printf.
std::string with_numbers(std::string text, std::initializer_list<size_t> numbers) {
  for (const size_t number : numbers) {
    const size_t at = text.find("{}");
    if (at == std::string::npos) break;
    text.replace(at, 2, std::to_string(number));
  }
  return text;
}

}  // namespace

std::vector<StylePair> pair_styles(const RoleLayers& structure, const RoleLayers& appearance,
                                   bool structure_mask, bool appearance_mask) {
  if (structure.group && structure.count == 0)
    throw Error(_("The hair shape (structure) group has no layers; put the shapes into it."));
  if (appearance.group && appearance.count == 0)
    throw Error(_("The hair colour (appearance) group has no layers; put the colours into it."));
  if (structure.group && appearance.group && structure.count != appearance.count)
    throw Error(with_numbers(_("The hair shape group has {} layers and the hair colour group {}; pair them "
                               "one to one, or choose a single colour layer."),
                             {structure.count, appearance.count}));
  if (structure.group && structure_mask)
    throw Error(_("A hair shape mask cannot fit a group of shapes; set the structure mask to none."));
  if (appearance.group && appearance_mask)
    throw Error(_("A hair colour mask cannot fit a group of colours; set the appearance mask to none."));
  const size_t count = std::max(structure.group ? structure.count : 1, appearance.group ? appearance.count : 1);
  std::vector<StylePair> styles(count);
  for (size_t k = 0; k < count; ++k)
    styles[k] = {structure.group ? k : 0, appearance.group ? k : 0};
  return styles;
}

std::string styles_group_name(const std::string& face, size_t count) {
  return "Barbershop: " + face + " - " + with_numbers(_("{} styles"), {count});
}

std::string style_progress_text(size_t style, size_t count) {
  return with_numbers(_("style {} of {}"), {style, count});
}

}  // namespace barbershop::plugin
