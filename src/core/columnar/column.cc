#include "core/columnar/column.h"

#include <cstring>

namespace ignite_tf {

Column Column::ForLeaf(const SchemaNode& leaf, const std::string& path) {
  Column c;
  c.path = path;
  c.element = leaf.element;
  c.is_list = leaf.is_list;
  c.list_depth = leaf.list_depth;
  if (c.has_offsets()) {
    c.offsets = std::make_shared<AlignedBuffer>();
    c.offsets->Push<int64_t>(0);
  }
  if (c.is_list && c.element == ElementType::kString) {
    c.string_offsets = std::make_shared<AlignedBuffer>();
    c.string_offsets->Push<int64_t>(0);
  }
  for (int level = 1; level < c.list_depth; ++level) {
    c.inner_offsets.push_back(std::make_shared<AlignedBuffer>());
    c.inner_offsets.back()->Push<int64_t>(0);
  }
  return c;
}

void Column::FillViews() {
  for (const FrameView& view : views)
    std::memcpy(data->data() + view.offset, view.bytes, view.size);
  views.clear();
  frames.clear();
}

}  // namespace ignite_tf
