#pragma once
// Many styles in one call: the hair shape and/or the hair colour given as a
// layer group means one transfer per layer of the group. Which shape goes
// with which colour, and which combinations are refused, is decided here
// once for both GIMP versions; the hosts only read the groups' layers.
#include <cstddef>
#include <string>
#include <vector>

namespace barbershop::plugin {

// A role's layers: one layer, or the layers of a group (top to bottom, as
// the Layers dialog lists them).
struct RoleLayers {
  size_t count = 1;
  bool group = false;
};

// One style: the index of its shape layer and of its colour layer.
struct StylePair {
  size_t structure = 0;
  size_t appearance = 0;
};

// Two groups are paired in order and must be as long; a group with a single
// layer uses that layer for every style. Throws barbershop::Error (before
// any work) for an empty group, groups of different lengths, or a shape or
// colour hair mask beside a group (one mask cannot fit many layers).
std::vector<StylePair> pair_styles(const RoleLayers& structure, const RoleLayers& appearance,
                                   bool structure_mask, bool appearance_mask);

// "Barbershop: <face> - N styles", the result group's name.
std::string styles_group_name(const std::string& face, size_t count);
// "style k of N" (k from 1), before the stage in the progress bar.
std::string style_progress_text(size_t style, size_t count);

}  // namespace barbershop::plugin
