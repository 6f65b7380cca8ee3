// Slide 15: the references, each with the slides that use it. The seed's list gives
// arXiv 1806.07366 twice, once as "Continuous Normalizing Flows"; that paper is Neural
// ODEs, and the continuous flows with a trace estimator are FFJORD's.
#include "common.hpp"

namespace flow::chapters::deck::s15 {
namespace {

struct Reference {
    const char* text;
    const char* slides;
};

void run(Context& ctx) {
    const std::vector<Reference> refs = {
        {"Papamakarios et al., Normalizing flows for \\dots, JMLR 2021", "1--4"},
        {"Dinh, Sohl-Dickstein, Bengio, Real NVP, ICLR 2017", "2, 4, 11"},
        {"Chen et al., Neural ordinary differential equations, 2018", "5"},
        {"Grathwohl et al., FFJORD (Hutchinson's trace), ICLR 2019", "10, 12"},
        {"Lipman et al., Flow matching for generative modeling, 2023", "5--13"},
        {"Rezende, Mohamed, Variational inference with NFs, 2015", "8"},
        {"Behrmann et al., Invertible residual networks, ICML 2019", "9, 14"},
        {"Xiao et al., Fashion-MNIST; Kingma, Dhariwal, Glow, 2018", "10"}};
    std::string body = "\\vspace{-0.3em}\\begin{itemize}\\setlength{\\itemsep}{0pt}\n";
    for (const auto& r : refs) body += fmt::format("\\item {} \\hfill {}\n", r.text, r.slides);
    body += "\\end{itemize}\n\\SlideLine{The seed's list gives arXiv 1806.07366 twice; it is Chen et al.'s only.}\n";
    ctx.stats["references"] = refs.size();
    ctx.text = ctx.frame(body);
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s15-references", nullptr, run)
}  // namespace flow::chapters::deck::s15
