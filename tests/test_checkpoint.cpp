// Checkpoints: a round trip restores every parameter exactly; a damaged checkpoint is
// refused with a message that says what is wrong.
#include <unistd.h>

#include <fstream>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/files.hpp"
#include "io/checkpoint.hpp"
#include "nn/layers.hpp"

using namespace flow;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() /
                       ("flowreport-ckpt-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(d);
    return d;
}

struct Model {
    nn::MLP<float> mlp;
    nn::Embedding<float> emb;
    nn::Params<float> ps;
    explicit Model(std::uint64_t seed, std::size_t hidden = 8) {
        Rng rng(seed, "init");
        mlp = nn::MLP<float>(3, hidden, 2, 3, rng);
        emb = nn::Embedding<float>(5, 4, rng);
        mlp.params(ps, "mlp");
        emb.params(ps, "emb");
    }
};

const nlohmann::json kConfig = {{"model", "test"}, {"hidden", 8}, {"lr", 1e-3}, {"seed", 1}};

std::string message_of_load(const fs::path& dir) {
    try {
        io::load_checkpoint(dir);
    } catch (const io::CheckpointError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a checkpoint round trip restores every parameter and the configuration",
          "[checkpoint][fast]") {
    const fs::path dir = fresh_dir("roundtrip");
    Model a(1), b(2);
    io::save_checkpoint(dir, kConfig, a.ps);
    const auto ck = io::load_checkpoint(dir);
    CHECK(ck.config == kConfig);
    CHECK(ck.hash == io::config_hash(kConfig));
    REQUIRE((a.mlp.linear[0].W != b.mlp.linear[0].W));
    io::restore(ck, b.ps, dir);
    for (std::size_t k = 0; k < a.ps.size(); ++k)
        for (std::size_t i = 0; i < a.ps[k].size(); ++i)
            REQUIRE(a.ps[k].value[i] == b.ps[k].value[i]);

    SECTION("saving again replaces the checkpoint whole") {
        Model c(3);
        io::save_checkpoint(dir, kConfig, c.ps);
        io::restore(io::load_checkpoint(dir), b.ps, dir);
        CHECK((b.mlp.linear[0].W == c.mlp.linear[0].W));
    }
    fs::remove_all(dir);
}

TEST_CASE("the configuration hash changes with any hyper-parameter", "[checkpoint][fast]") {
    auto other = kConfig;
    other["lr"] = 2e-3;
    CHECK(io::config_hash(other) != io::config_hash(kConfig));
    CHECK(io::config_hash(kConfig).size() == 16);
}

TEST_CASE("a damaged checkpoint is refused with a clear message", "[checkpoint][fast]") {
    const fs::path dir = fresh_dir("damaged");
    Model a(1);
    io::save_checkpoint(dir, kConfig, a.ps);
    const fs::path npy = dir / "mlp.0.W.npy";
    REQUIRE(fs::exists(npy));
    std::string bytes = read_file(npy);

    SECTION("truncated array file") {
        write_atomic(npy, bytes.substr(0, bytes.size() - 7));
        const auto msg = message_of_load(dir);
        CHECK_THAT(msg, Catch::Contains("mlp.0.W") && Catch::Contains("truncated"));
    }
    SECTION("a flipped byte") {
        bytes[bytes.size() - 3] ^= 0x40;
        write_atomic(npy, bytes);
        CHECK_THAT(message_of_load(dir), Catch::Contains("checksum"));
    }
    SECTION("a missing array file") {
        fs::remove(npy);
        CHECK_THAT(message_of_load(dir), Catch::Contains("missing"));
    }
    SECTION("a truncated manifest") {
        const std::string manifest = read_file(dir / "model.json");
        write_atomic(dir / "model.json", manifest.substr(0, manifest.size() / 2));
        CHECK_THAT(message_of_load(dir), Catch::Contains("model.json is damaged"));
    }
    SECTION("no manifest") {
        fs::remove(dir / "model.json");
        CHECK_THAT(message_of_load(dir), Catch::Contains("model.json is missing"));
    }
    SECTION("an edited configuration") {
        auto manifest = nlohmann::json::parse(read_file(dir / "model.json"));
        manifest["config"]["hidden"] = 16;
        write_atomic(dir / "model.json", manifest.dump());
        CHECK_THAT(message_of_load(dir), Catch::Contains("hash"));
    }
    SECTION("a model of another shape") {
        Model wide(1, 16);
        try {
            io::restore(io::load_checkpoint(dir), wide.ps, dir);
            FAIL("restore accepted a checkpoint of another shape");
        } catch (const io::CheckpointError& e) {
            CHECK_THAT(e.what(), Catch::Contains("shape [3,8]") && Catch::Contains("expects [3,16]"));
        }
    }
    SECTION("not a checkpoint folder") {
        CHECK_THAT(message_of_load(dir / "nothing"), Catch::Contains("no such checkpoint"));
    }
    fs::remove_all(dir);
}

TEST_CASE("two writers of one checkpoint at once both succeed and leave it whole",
          "[checkpoint][fast]") {
    // The same configuration saved by several threads at once, again and again, as two
    // runs training the same model would: every save returns, and what is left loads.
    const fs::path dir = fresh_dir("concurrent");
    Model a(1);
    constexpr int kWriters = 4, kRounds = 25;
    std::vector<std::string> errors(kWriters);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            try {
                for (int r = 0; r < kRounds; ++r) io::save_checkpoint(dir, kConfig, a.ps);
            } catch (const std::exception& e) {
                errors[w] = e.what();
            }
        });
    for (auto& t : writers) t.join();
    for (const auto& e : errors) CHECK(e == "");
    Model b(2);
    io::restore(io::load_checkpoint(dir), b.ps, dir);
    CHECK((b.mlp.linear[0].W == a.mlp.linear[0].W));
    // Nothing is left beside it: every temporary folder was renamed or removed.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.parent_path()))
        if (e.path().filename().string().find(dir.filename().string()) != std::string::npos) ++entries;
    CHECK(entries == 1);
    fs::remove_all(dir);
}
