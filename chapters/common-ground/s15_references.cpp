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
        {"Papamakarios et al., Normalizing flows (survey), JMLR 2021", "2--5"},
        {"Dinh, Sohl-Dickstein, Bengio, Real NVP, ICLR 2017", "3, 5, 12"},
        {"Chen et al., Neural ODEs (continuous flows), 2018", "6"},
        {"Grathwohl et al., FFJORD; Hutchinson, 1989 (trace)", "11, 13"},
        {"Lipman et al., Flow matching, ICLR 2023", "6--14"},
        {"Rezende, Mohamed, planar flows, ICML 2015", "9"},
        {"Behrmann et al., Invertible residual networks, 2019", "10, 15"},
        {"Xiao et al., Fashion-MNIST, 2017", "11"},
        {"Nalisnick et al., Glow on Fashion-MNIST, ICLR 2019", "11"}};
    std::string body = "\\vspace{-0.3em}\\begin{itemize}\\setlength{\\itemsep}{0pt}\n";
    for (const auto& r : refs) body += fmt::format("\\item {} \\hfill {}\n", r.text, r.slides);
    body += "\\end{itemize}\n\\SlideLine{The source cites arXiv 1806.07366 twice: both are Neural ODEs.}\n";
    ctx.stats["references"] = refs.size();
    ctx.text = ctx.frame(body);
}

}  // namespace
FLOWREPORT_CHAPTER("common-ground", "s15-references", nullptr, run)
}  // namespace flow::chapters::deck::s15
