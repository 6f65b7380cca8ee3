#pragma once
// A progress line on stderr while training: one updating line on a terminal, one line
// per epoch otherwise (logs and make output stay readable).
#include <chrono>
#include <string>

namespace flow {

class Progress {
public:
    Progress(std::string what, std::size_t epochs, std::size_t batches);
    // Called after every batch; prints at most a few times a second on a terminal.
    void batch(std::size_t epoch, std::size_t batch, double running_loss);
    // Called after every epoch with a summary (e.g. the validation loss).
    void epoch(std::size_t epoch, const std::string& summary);
    double elapsed() const;

private:
    std::string what_;
    std::size_t epochs_, batches_;
    bool tty_;
    std::chrono::steady_clock::time_point start_, last_, last_line_;
};

}  // namespace flow
