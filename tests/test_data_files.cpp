// Data files: the CSV reader refuses every malformed file in one line that names the
// file and the line; each data/*.csv is a data set whose rows match the published
// file (count, ranges, moments), split once into 80 % training and 20 % held-out rows
// that share none and together are the whole file.
#include <algorithm>
#include <cmath>
#include <set>

#include <catch2/catch.hpp>

#include "model/registry.hpp"
#include "nf/train.hpp"
#include "config/options.hpp"
#include "data/csv.hpp"
#include "data/dataset.hpp"

using namespace flow;

namespace {

const std::vector<std::string> kCols = {"feature_1", "feature_2"};

std::string error_of(const std::string& text) {
    try {
        data::parse_csv("f.csv", text, kCols);
    } catch (const data::CsvError& e) {
        return e.what();
    }
    return "";
}

// Raw rows of a part of a file data set.
std::vector<std::array<double, 2>> raw_rows(const data::PointSet& s) {
    std::vector<std::array<double, 2>> r;
    for (std::size_t i = 0; i < s.x.shape(0); ++i) r.push_back(s.scale.to_raw(s.x(i, 0), s.x(i, 1)));
    return r;
}

}  // namespace

TEST_CASE("a CSV file is read exactly, and every malformed one refused naming its line", "[data][csv][fast]") {
    const auto t = data::parse_csv("f.csv", "feature_1,feature_2\r\n1.5, -2\n3e2,0.25\n\n", kCols);
    REQUIRE(t.shape(0) == 2);
    CHECK(t(0, 0) == 1.5);
    CHECK(t(0, 1) == -2.0);
    CHECK(t(1, 0) == 300.0);
    CHECK(t(1, 1) == 0.25);

    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", "f.csv: the file is empty"},
        {"\n\n", "f.csv: the file is empty"},
        {"feature_1,feature_2\n", "f.csv: the file has a header and no rows"},
        {"feature_1\n1\n", "f.csv, line 1: the header is 'feature_1', expected 'feature_1,feature_2'"},
        {"x,y\n1,2\n", "f.csv, line 1: the header is 'x,y'"},
        {"feature_1,feature_2\n1,2\n3\n", "f.csv, line 3: 1 field where the header has 2"},
        {"feature_1,feature_2\n1,2,3\n", "f.csv, line 2: 3 fields where the header has 2"},
        {"feature_1,feature_2\n1,abc\n", "f.csv, line 2: feature_2 is 'abc', not a number"},
        {"feature_1,feature_2\n1.5x,2\n", "f.csv, line 2: feature_1 is '1.5x', not a number"},
        {"feature_1,feature_2\nnan,2\n", "f.csv, line 2: feature_1 is 'nan', not a finite number"},
        {"feature_1,feature_2\n1,-inf\n", "f.csv, line 2: feature_2 is '-inf', not a finite number"},
        {"feature_1,feature_2\n1,1e999\n", "f.csv, line 2: feature_2 is '1e999', not a finite number"},
        {"feature_1,feature_2\n,2\n", "f.csv, line 2: feature_1 is empty"},
        {"feature_1,feature_2\n1,2\n\n3,4\n", "f.csv, line 3: 1 field where the header has 2"},
    };
    for (const auto& [text, want] : bad) {
        INFO(text);
        const std::string e = error_of(text);
        CHECK_THAT(e, Catch::StartsWith(want));
        CHECK(e.find('\n') == std::string::npos);
    }
    CHECK_THROWS_WITH(data::read_csv("/nonexistent/x.csv", kCols), "/nonexistent/x.csv: cannot be read");
}

TEST_CASE("each data file is a data set of 500 rows with the published shape", "[data][csv][fast]") {
    // Ranges and moments of the files as published (to the digits given there).
    struct Shape {
        const char* name;
        double lo0, hi0, mean0, sd0, lo1, hi1, mean1, sd1;
    };
    for (const Shape& s : {Shape{"two-moons", -1.07, 2.07, 0.50, 0.87, -0.65, 1.11, 0.25, 0.49},
                           Shape{"two-blobs", -1.03, 1.02, -0.01, 0.53, -1.11, 0.98, -0.01, 0.54},
                           Shape{"boomerang", -3.34, 41.5, 3.51, 5.38, -12.8, 11.1, 0.49, 3.71}}) {
        INFO(s.name);
        const data::Dataset& d = data::dataset(s.name);
        REQUIRE(d.finite());
        CHECK(!d.labelled);
        const auto train = raw_rows(d.part(false)), held = raw_rows(d.part(true));
        CHECK(train.size() == 400);
        CHECK(held.size() == 100);
        std::vector<std::array<double, 2>> all = train;
        all.insert(all.end(), held.begin(), held.end());
        double lo[2] = {1e300, 1e300}, hi[2] = {-1e300, -1e300}, sum[2] = {0, 0}, ss[2] = {0, 0};
        for (const auto& p : all)
            for (int c = 0; c < 2; ++c) {
                lo[c] = std::min(lo[c], p[c]);
                hi[c] = std::max(hi[c], p[c]);
                sum[c] += p[c];
            }
        for (const auto& p : all)
            for (int c = 0; c < 2; ++c) ss[c] += (p[c] - sum[c] / 500) * (p[c] - sum[c] / 500);
        const double tol_lo0 = std::fabs(s.lo0) < 10 ? 0.005 : 0.05, tol_hi0 = std::fabs(s.hi0) < 10 ? 0.005 : 0.05;
        CHECK(lo[0] == Approx(s.lo0).margin(tol_lo0));
        CHECK(hi[0] == Approx(s.hi0).margin(tol_hi0));
        CHECK(lo[1] == Approx(s.lo1).margin(std::fabs(s.lo1) < 10 ? 0.005 : 0.05));
        CHECK(hi[1] == Approx(s.hi1).margin(std::fabs(s.hi1) < 10 ? 0.005 : 0.05));
        CHECK(sum[0] / 500 == Approx(s.mean0).margin(0.005));
        CHECK(sum[1] / 500 == Approx(s.mean1).margin(0.005));
        CHECK(std::sqrt(ss[0] / 500) == Approx(s.sd0).margin(0.006));
        CHECK(std::sqrt(ss[1] / 500) == Approx(s.sd1).margin(0.006));
        // Training and held-out rows share no row (up to float rounding of the parts).
        std::set<std::pair<long long, long long>> keys;
        for (const auto& p : train) keys.insert({std::llround(p[0] * 1e4), std::llround(p[1] * 1e4)});
        for (const auto& p : held) CHECK(keys.count({std::llround(p[0] * 1e4), std::llround(p[1] * 1e4)}) == 0);
        // Each part is standardised by its own statistics.
        const auto tp = d.part(false);
        double m = 0;
        for (std::size_t i = 0; i < tp.x.shape(0); ++i) m += tp.x(i, 0);
        CHECK(m / 400 == Approx(0).margin(1e-5));
    }
}

TEST_CASE("a model trains on a file's training rows and is validated on its held-out rows", "[data][csv][fast]") {
    const data::Dataset& d = data::dataset("two-moons");
    Rng rng(0, "test/files");
    CHECK(data::training_points(d, 400, rng).x.shape(0) == 400);
    CHECK(data::training_points(d, 100, rng).x.shape(0) == 100);
    CHECK_THROWS_WITH(data::training_points(d, 401, rng), Catch::Contains("has 400 training rows"));
    CHECK(data::held_out_points(d, 100, rng).x.shape(0) == 100);
    CHECK(data::held_out_count(d, 10000) == 100);
    CHECK(data::held_out_count(data::dataset("rings"), 10000) == 10000);
    // The flags: --points beyond the training rows is bad usage; the held-out count is recorded.
    auto specs = model::flags_with_seed(model::kind("nf"));
    const auto ok = config::parse("t", specs, {"--points", "400"});
    const auto c = nf::config(ok.values, "two-moons");
    CHECK(c.points == 400);
    CHECK(c.val_points == 100);
    const auto bad = config::parse("t", specs, {"--points", "500"});
    CHECK_THROWS_AS(nf::config(bad.values, "two-moons"), config::UsageError);
}

TEST_CASE("a data file's k-th split cuts all its rows into training, validation and held-out rows",
          "[data][csv][split][fast]") {
    const data::Dataset& whole = data::dataset("two-moons");
    const data::Dataset& a = data::dataset("two-moons:1");
    const data::Dataset& b = data::dataset("two-moons:2");
    CHECK(&data::dataset("two-moons:1") == &a);  // made once, kept
    CHECK(a.name == "two-moons:1");
    CHECK(a.train_rows.size() == 300);
    CHECK(a.val_rows.size() == 100);
    CHECK(a.held_rows.size() == 100);
    // Every row in exactly one part; the splits differ.
    auto key = [](const std::array<double, 2>& r) { return std::make_pair(r[0], r[1]); };
    std::multiset<std::pair<double, double>> all, parts;
    for (const auto& r : whole.all_rows) all.insert(key(r));
    for (const auto* rows : {&a.train_rows, &a.val_rows, &a.held_rows})
        for (const auto& r : *rows) parts.insert(key(r));
    CHECK(parts == all);
    CHECK(a.held_rows != b.held_rows);
    // Training sees its own rows, validation the validation rows, scoring the held-out ones.
    Rng rng(0, "test/split");
    CHECK(data::training_points(a, 300, rng).x.shape(0) == 300);
    CHECK(data::validation_count(a, 7) == 100);
    const auto val = data::validation_points(a, 100, rng);
    CHECK(val.x(0, 0) == Approx(data::standardise(a.val_rows).x(0, 0)));
    CHECK(data::held_out_count(a, 7) == 100);
    // The unsplit set validates on its held-out rows, as before.
    CHECK(data::validation_count(whole, 7) == 100);
    CHECK(data::unsplit_name("two-moons:3") == "two-moons");
    CHECK(data::split_of("two-moons:3") == 3);
    CHECK_THROWS_WITH(data::dataset("two-moons:0"), Catch::Contains("a split is a whole number from 1"));
    CHECK_THROWS_WITH(data::dataset("two-moons:x"), Catch::Contains("a split is a whole number from 1"));
    CHECK_THROWS_WITH(data::dataset("rings:1"), Catch::Contains("not a data file"));
}
