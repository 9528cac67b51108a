// The GIMP plug-in's pairing of hair shapes and colours when either is a
// layer group (plugin/common/styles.h), for both GIMP versions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/error.h"
#include "plugin/common/styles.h"

namespace barbershop::plugin {
namespace {

std::vector<std::pair<size_t, size_t>> pairs(const std::vector<StylePair>& styles) {
  std::vector<std::pair<size_t, size_t>> result;
  for (const StylePair& style : styles) result.emplace_back(style.structure, style.appearance);
  return result;
}

std::string refusal(const RoleLayers& structure, const RoleLayers& appearance, bool structure_mask = false,
                    bool appearance_mask = false) {
  try {
    pair_styles(structure, appearance, structure_mask, appearance_mask);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

using Pairs = std::vector<std::pair<size_t, size_t>>;

TEST(PluginStyles, AGroupOfShapesTakesTheOneColourForEach) {
  EXPECT_EQ(pairs(pair_styles({3, true}, {}, false, false)), (Pairs{{0, 0}, {1, 0}, {2, 0}}));
}

TEST(PluginStyles, AGroupOfColoursTakesTheOneShapeForEach) {
  EXPECT_EQ(pairs(pair_styles({}, {2, true}, false, false)), (Pairs{{0, 0}, {0, 1}}));
}

TEST(PluginStyles, TwoGroupsPairInOrder) {
  EXPECT_EQ(pairs(pair_styles({3, true}, {3, true}, false, false)), (Pairs{{0, 0}, {1, 1}, {2, 2}}));
}

TEST(PluginStyles, NoGroupIsOneStyle) { EXPECT_EQ(pairs(pair_styles({}, {}, true, true)), (Pairs{{0, 0}})); }

TEST(PluginStyles, GroupsOfDifferentLengthsAreRefusedNamingBoth) {
  const std::string message = refusal({3, true}, {2, true});
  EXPECT_NE(message.find("3 layers"), std::string::npos) << message;
  EXPECT_NE(message.find("group 2"), std::string::npos) << message;
}

TEST(PluginStyles, AnEmptyGroupIsRefused) {
  EXPECT_NE(refusal({0, true}, {}).find("shape (structure) group has no layers"), std::string::npos);
  EXPECT_NE(refusal({}, {0, true}).find("colour (appearance) group has no layers"), std::string::npos);
}

TEST(PluginStyles, AMaskBesideAGroupIsRefused) {
  EXPECT_NE(refusal({2, true}, {}, true, false).find("structure mask"), std::string::npos);
  EXPECT_NE(refusal({}, {2, true}, false, true).find("appearance mask"), std::string::npos);
  EXPECT_EQ(refusal({2, true}, {}, false, true), "");  // the single colour's mask fits it
}

TEST(PluginStyles, NamesAndProgressCountTheStyles) {
  EXPECT_EQ(styles_group_name("16", 3), "Barbershop: 16 - 3 styles");
  EXPECT_EQ(style_progress_text(2, 3), "style 2 of 3");
}

}  // namespace
}  // namespace barbershop::plugin
