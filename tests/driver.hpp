#pragma once
// Running the driver from a test: its exit status and what it printed.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/files.hpp"

namespace flow::test {

struct Result {
    int status;
    std::string out, err;
    // The first line of out (e.g. the checkpoint folder `train` prints).
    std::string line() const { return out.substr(0, out.find('\n')); }
};

// A fresh scratch path for this test process.
inline std::filesystem::path scratch(const std::string& name) {
    const auto d = std::filesystem::temp_directory_path() /
                   ("flowreport-driver-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(d);
    return d;
}

// flowreport ARGS with environment assignments ENV ("NAME=value " ...) in front.
inline Result run_env(const std::string& env, const std::string& args) {
    const auto out = scratch("stdout"), err = scratch("stderr");
    const std::string cmd = env + std::string(FLOWREPORT_BIN) + " " + args + " >" + out.string() + " 2>" + err.string();
    const int raw = std::system(cmd.c_str());
    Result r{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_file(out), read_file(err)};
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return r;
}

inline Result run(const std::string& args) { return run_env("", args); }

inline std::size_t lines(const std::string& s) { return std::size_t(std::count(s.begin(), s.end(), '\n')); }

}  // namespace flow::test
