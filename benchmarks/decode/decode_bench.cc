// decode_bench: decodes one captured page into column batches, over and over, for callgrind.
//
//   decode_bench --page w2_mnist.page --types w2_mnist.types [--repeat N] [--warmup N]
//                [--fields a,b] [--masks]
//   decode_bench --sql --page w3_numeric.sqlpage [--types ...] ...
//
// A scan page is `int32 rowCount | rows | bool more`, a SQL page the reply of a SQL fields query
// from its column count on (`int32 columnCount | names | rowCount | rows | more`), as
// tests/fuzz/capture_corpus.py --bench writes them. The schema comes from the first row exactly as
// BatchStream does (ValueDecoder + InferSchema, or InferSqlSchema over the first page), then one
// BatchBuilder appends the whole page and finishes a batch, `--warmup` times outside and
// `--repeat` times inside DecodeLoop, the function benchmarks/decode_callgrind.py has callgrind
// count (--toggle-collect): the steady state of a long scan, plans cached and columns growing
// from empty in every batch.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/binary/decoder.h"
#include "core/binary/type_codes.h"
#include "core/client/scan_cursor.h"
#include "core/client/sql_cursor.h"
#include "core/columnar/batch_builder.h"
#include "core/columnar/schema.h"
#include "core/common/error.h"
#include "core/wire/reader.h"
#include "support/static_types.h"

namespace ignite_tf {
namespace bench {

struct Options {
  std::string page_path;
  std::string types_path;
  bool sql = false;
  bool masks = false;
  int repeat = 10;
  int warmup = 1;
  std::vector<std::string> fields;
};

// A page ready to decode: its bytes and schema, and how the builder appends it.
struct Workload {
  Page page;
  RowSchema schema;
  bool sql = false;
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "decode_bench: %s\n", message.c_str());
  std::exit(1);
}

void Check(const absl::Status& status, const std::string& what) {
  if (!status.ok()) Die(absl::StrCat(what, ": ", status.ToString()));
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot open " + path);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

// The schema of a scan page, learnt from its first row as BatchStream::Produce does.
absl::StatusOr<RowSchema> ScanSchema(const Page& page, TypeResolver* types) {
  if (page.row_count == 0) return absl::InvalidArgumentError("the page has no rows");
  ValueDecoder decoder(types);
  size_t pos = page.rows_begin;
  IGNITE_ASSIGN_OR_RETURN(Value key, decoder.Decode(page.bytes(), &pos, "key"));
  IGNITE_ASSIGN_OR_RETURN(Value value, decoder.Decode(page.bytes(), &pos, "val"));
  return InferSchema(key, value, types);
}

// Column names of a SQL page (what SqlCursor::Open reads before the page) and where they end.
absl::StatusOr<std::vector<std::string>> SqlColumns(absl::Span<const uint8_t> bytes, size_t* end) {
  Reader r(bytes);
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> columns, ReadSqlColumnNames(r));
  *end = r.position();
  return columns;
}

// The schema of a SQL page: its rows as Values (as SqlCursor does), then InferSqlSchema.
absl::StatusOr<RowSchema> SqlSchema(const Page& page, const std::vector<std::string>& columns,
                                    TypeResolver* types) {
  IGNITE_ASSIGN_OR_RETURN(auto rows, DecodeSqlRows(page, columns, types));
  return InferSqlSchema(columns, rows, types);
}

absl::Status AppendPage(BatchBuilder& builder, const Workload& w) {
  const Page& p = w.page;
  return w.sql ? builder.AppendSqlRows(p.bytes(), p.rows_begin, p.rows_end, p.row_count, 0)
               : builder.AppendRows(p.bytes(), p.rows_begin, p.rows_end, p.row_count, 0);
}

// What callgrind counts: `repeat` times the whole page appended and the batch finished (and
// freed, as the consumer eventually does).
__attribute__((noinline)) int64_t DecodeLoop(BatchBuilder& builder, const Workload& w, int repeat) {
  int64_t rows = 0;
  for (int i = 0; i < repeat; ++i) {
    Check(AppendPage(builder, w), "decoding the page");
    Batch batch = builder.Finish();
    rows += batch.num_rows;
  }
  return rows;
}

std::string DescribeColumns(const RowSchema& schema) {
  std::string out;
  for (size_t i = 0; i < schema.leaves.size(); ++i) {
    const SchemaNode& leaf = *schema.leaves[i];
    absl::StrAppend(&out, i == 0 ? "" : ", ", schema.column_paths[i], ":",
                    leaf.is_list ? "list<" : "", ElementTypeName(leaf.element),
                    leaf.is_list ? ">" : "");
  }
  return out;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--page") {
      o.page_path = value();
    } else if (arg == "--types") {
      o.types_path = value();
    } else if (arg == "--sql") {
      o.sql = true;
    } else if (arg == "--masks") {
      o.masks = true;
    } else if (arg == "--repeat") {
      o.repeat = std::atoi(value().c_str());
    } else if (arg == "--warmup") {
      o.warmup = std::atoi(value().c_str());
    } else if (arg == "--fields") {
      o.fields = absl::StrSplit(value(), ',', absl::SkipEmpty());
    } else {
      Die("unknown argument " + arg +
          " (--page FILE [--types FILE] [--sql] [--repeat N] [--warmup N] [--fields a,b] "
          "[--masks])");
    }
  }
  if (o.page_path.empty()) Die("--page FILE is required");
  if (o.repeat < 0 || o.warmup < 0) Die("--repeat and --warmup must not be negative");
  return o;
}

int Main(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  auto types = std::make_shared<support::StaticTypeResolver>();
  if (!options.types_path.empty()) {
    for (BinaryType& t : support::LoadTypes(options.types_path)) types->Add(std::move(t));
  }

  Workload w;
  w.sql = options.sql;
  std::vector<uint8_t> bytes = ReadFile(options.page_path);
  RowSchema inferred;
  if (options.sql) {
    size_t page_at = 0;
    absl::StatusOr<std::vector<std::string>> columns = SqlColumns(bytes, &page_at);
    Check(columns.status(), options.page_path);
    absl::StatusOr<Page> page =
        ParsePage(std::move(bytes), page_at, 0, std::max<size_t>(1, columns->size()));
    Check(page.status(), options.page_path);
    w.page = std::move(*page);
    absl::StatusOr<RowSchema> schema = SqlSchema(w.page, *columns, types.get());
    Check(schema.status(), "inferring the schema");
    inferred = std::move(*schema);
  } else {
    absl::StatusOr<Page> page = ParsePage(std::move(bytes), 0, 0);
    Check(page.status(), options.page_path);
    w.page = std::move(*page);
    absl::StatusOr<RowSchema> schema = ScanSchema(w.page, types.get());
    Check(schema.status(), "inferring the schema");
    inferred = std::move(*schema);
  }
  absl::StatusOr<RowSchema> schema = SelectFields(inferred, options.fields);
  Check(schema.status(), "selecting fields");
  w.schema = std::move(*schema);

  BatchBuilder builder(w.schema, types, options.masks);
  const int64_t warm = [&] {
    int64_t rows = 0;
    for (int i = 0; i < options.warmup; ++i) {
      Check(AppendPage(builder, w), "decoding the page");
      rows += builder.Finish().num_rows;
    }
    return rows;
  }();
  const int64_t rows = DecodeLoop(builder, w, options.repeat);
  const int64_t per_page = w.page.row_count;
  if (rows != per_page * options.repeat || warm != per_page * options.warmup) {
    Die(absl::StrCat("decoded ", rows, " rows, expected ", per_page * options.repeat));
  }
  const int64_t payload = static_cast<int64_t>(w.page.rows_end - w.page.rows_begin);
  std::printf("page %s: %d rows, %lld payload bytes, %s\n", options.page_path.c_str(),
              w.page.row_count, static_cast<long long>(payload), options.sql ? "SQL" : "scan");
  std::printf("columns: %s\n", DescribeColumns(w.schema).c_str());
  std::printf("warmup %d, repeat %d: rows_decoded=%lld payload_bytes=%lld\n", options.warmup,
              options.repeat, static_cast<long long>(rows),
              static_cast<long long>(payload * options.repeat));
  return 0;
}

}  // namespace bench
}  // namespace ignite_tf

int main(int argc, char** argv) { return ignite_tf::bench::Main(argc, argv); }
