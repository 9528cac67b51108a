#pragma once
// An image editor in memory, for testing the plug-in's procedures
// (plugin/common/procedures.h) without a GIMP: one image of layers, groups
// and channels holding plain pixel buffers, a selection, and a record of
// what a user would have seen (undo groups, progress, messages). It keeps
// the rules the real editors keep (a layer goes above another in that
// layer's parent), and counts any change made outside an undo group.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugin/common/host.h"

namespace barbershop::plugin {

class MemoryHost final : public Host {
 public:
  struct Item {
    std::string name;
    Pixels pixels;  // empty for a group
    Offsets at;
    enum Kind { kLayer, kGroup, kChannel } kind = kLayer;
    LayerId parent = kNoLayer;  // kNoLayer: the image's top level
  };

  // Building the image, outside the procedures: each new item goes to the
  // bottom of `parent` (kNoLayer: the image's top level).
  LayerId add_layer(const std::string& name, const Pixels& pixels, Offsets at = {}, LayerId parent = kNoLayer) {
    return add({name, pixels, at, Item::kLayer, parent}, parent, stack(parent).size());
  }
  LayerId add_group(const std::string& name, LayerId parent = kNoLayer) {
    return add({name, {}, {}, Item::kGroup, parent}, parent, stack(parent).size());
  }
  // A drawable that is no layer (a channel): not in any layer stack.
  LayerId add_channel(const std::string& name, const Pixels& pixels) {
    items_[next_id_] = {name, pixels, {}, Item::kChannel, kNoLayer};
    return next_id_++;
  }
  void remove(LayerId id) {
    std::vector<LayerId>& siblings = stack(items_.at(id).parent);
    siblings.erase(std::find(siblings.begin(), siblings.end(), id));
    items_.erase(id);
  }

  const Item& item(LayerId id) const { return items_.at(id); }
  // The layers of `parent` (kNoLayer: the top level), top to bottom.
  const std::vector<LayerId>& stack_of(LayerId parent) const {
    static const std::vector<LayerId> kEmpty;
    if (parent == kNoLayer) return top_;
    const auto found = children_.find(parent);
    return found == children_.end() ? kEmpty : found->second;
  }
  size_t item_count() const { return items_.size(); }

  std::optional<Area> selection;
  // The run window a procedure opens (the tests' scripted one); none when
  // empty, as in a script's call.
  std::function<std::unique_ptr<RunWindow>(const std::string& title)> run_window;

  // What the user saw.
  int undo_groups = 0;             // opened so far
  int open_undo_groups = 0;        // open now
  int changes_outside_undo = 0;    // insertions while no undo group was open
  int shown_changes = 0;           // show_changes() calls
  std::vector<std::string> progress_titles, progress_texts, messages;
  std::vector<double> progress_fractions;

  // Host
  bool is_drawable(LayerId id) const override { return items_.count(id) != 0; }
  bool is_layer(LayerId id) const override { return is_drawable(id) && items_.at(id).kind != Item::kChannel; }
  // A group's composite: its top layer (the layers here are opaque and
  // cover each other).
  Pixels pixels(LayerId id) const override {
    const Item& found = items_.at(id);
    if (found.kind != Item::kGroup) return found.pixels;
    return stack_of(id).empty() ? Pixels() : pixels(stack_of(id).front());
  }
  std::string name(LayerId id) const override { return items_.at(id).name; }
  Offsets offsets(LayerId id) const override { return items_.at(id).at; }
  std::optional<std::vector<LayerId>> group_layers(LayerId id) const override {
    if (!is_drawable(id) || items_.at(id).kind != Item::kGroup) return std::nullopt;
    return stack_of(id);
  }
  std::vector<LayerId> image_layers() const override { return top_; }
  std::optional<Area> selection_bounds() const override { return selection; }

  LayerId insert_layer_above(LayerId below, const Pixels& pixels, const std::string& name, Offsets at) override {
    const LayerId parent = items_.at(below).parent;
    return changed(add({name, pixels, at, Item::kLayer, parent}, parent, position_of(below)));
  }
  LayerId insert_group_above(LayerId below, const std::string& name) override {
    const LayerId parent = items_.at(below).parent;
    return changed(add({name, {}, {}, Item::kGroup, parent}, parent, position_of(below)));
  }
  LayerId insert_layer_into(LayerId group, int position, const Pixels& pixels, const std::string& name,
                            Offsets at) override {
    if (items_.at(group).kind != Item::kGroup) throw std::logic_error("insert_layer_into: not a group");
    return changed(add({name, pixels, at, Item::kLayer, group}, group, static_cast<size_t>(position)));
  }
  void begin_undo_group() override {
    ++undo_groups;
    ++open_undo_groups;
  }
  void end_undo_group() override {
    if (open_undo_groups == 0) throw std::logic_error("end_undo_group without begin_undo_group");
    --open_undo_groups;
  }
  void show_changes() override { ++shown_changes; }
  void progress_start(const std::string& title) override { progress_titles.push_back(title); }
  void progress_text(const std::string& text) override { progress_texts.push_back(text); }
  void progress_fraction(double fraction) override { progress_fractions.push_back(fraction); }
  void message(const std::string& text) override { messages.push_back(text); }
  std::unique_ptr<RunWindow> open_run_window(const std::string& title) override {
    return run_window ? run_window(title) : nullptr;
  }

 private:
  std::vector<LayerId>& stack(LayerId parent) { return parent == kNoLayer ? top_ : children_[parent]; }
  size_t position_of(LayerId id) const {
    const std::vector<LayerId>& siblings = stack_of(items_.at(id).parent);
    return static_cast<size_t>(std::find(siblings.begin(), siblings.end(), id) - siblings.begin());
  }
  LayerId add(const Item& item, LayerId parent, size_t position) {
    if (parent != kNoLayer && items_.at(parent).kind != Item::kGroup) throw std::logic_error("parent is no group");
    std::vector<LayerId>& siblings = stack(parent);
    if (position > siblings.size()) throw std::logic_error("position past the bottom of the stack");
    items_[next_id_] = item;
    siblings.insert(siblings.begin() + static_cast<std::ptrdiff_t>(position), next_id_);
    return next_id_++;
  }
  LayerId changed(LayerId id) {
    if (open_undo_groups == 0) ++changes_outside_undo;
    return id;
  }

  LayerId next_id_ = 1;
  std::map<LayerId, Item> items_;
  std::vector<LayerId> top_;
  std::map<LayerId, std::vector<LayerId>> children_;
};

}  // namespace barbershop::plugin
