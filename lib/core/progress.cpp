#include "core/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace flow {

namespace {
std::string clock(double s) {
    const long t = long(s + 0.5);
    return fmt::format("{}:{:02d}", t / 60, int(t % 60));
}
}  // namespace

Progress::Progress(std::string what, std::size_t epochs, std::size_t batches)
    : what_(std::move(what)), epochs_(epochs), batches_(batches), tty_(::isatty(2) != 0),
      start_(std::chrono::steady_clock::now()), last_(start_), last_line_(start_) {}

double Progress::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::batch(std::size_t epoch, std::size_t batch, double running_loss) {
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double done = double(epoch * batches_ + batch + 1) / double(epochs_ * batches_);
    const double t = elapsed();
    std::fprintf(stderr, "\r%s: epoch %zu/%zu batch %zu/%zu loss %.4f  %s elapsed, %s left   ",
                 what_.c_str(), epoch + 1, epochs_, batch + 1, batches_, running_loss,
                 clock(t).c_str(), clock(t / done - t).c_str());
}

void Progress::epoch(std::size_t epoch, const std::string& summary) {
    // One line per epoch, but at most one every 2 s (short epochs of small data sets
    // would fill a log): the first and the last always.
    const auto now = std::chrono::steady_clock::now();
    const bool last = epoch + 1 == epochs_;
    if (epoch > 0 && !last && now - last_line_ < std::chrono::seconds(2)) return;
    last_line_ = now;
    const double t = elapsed();
    const double done = double(epoch + 1) / double(epochs_);
    std::fprintf(stderr, "%s%s: epoch %zu/%zu %s  %s elapsed, %s left%s\n", tty_ ? "\r" : "",
                 what_.c_str(), epoch + 1, epochs_, summary.c_str(), clock(t).c_str(),
                 clock(t / done - t).c_str(), tty_ ? "          " : "");
}


}  // namespace flow
