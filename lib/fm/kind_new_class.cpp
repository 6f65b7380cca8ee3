// Kind "new-class": one more class for a trained conditional field, fitted on that model
// (its base) rather than on a data set.
#include <memory>

#include "fm/new_class.hpp"
#include "model/registry.hpp"

namespace flow::fm {

NewClassConfig new_class_config(const config::Values& v) {
    if (v.text("base").empty())
        throw config::UsageError("a new-class model needs --base, the folder of the model it is fitted on");
    if (v.text("target").empty()) throw config::UsageError("a new-class model needs --target x,y");
    const auto target = v.points("target");
    if (target.size() != 1) throw config::UsageError("--target takes one point x,y");
    NewClassConfig c = new_class_config(v.path("base"), target.front(), v.text("fit") == "embedding");
    c.fit.steps = std::size_t(v.count("steps"));
    c.fit.batch = std::size_t(v.count("batch"));
    c.fit.old_batch = std::size_t(v.count("old-batch"));
    c.fit.lr = v.real("lr");
    c.seed = v.seed();
    return c;
}

namespace {

model::Record new_class_record(NewClassModel& m) {
    model::Record r;
    r.kind = "new-class";
    r.config = m.config.to_json();
    r.dir = m.dir;
    r.data = m.config.data;
    r.seed = m.config.seed;
    r.epochs = m.config.fit.steps;  // one batch an "epoch"
    r.batch = m.config.fit.batch;
    r.lr = m.config.fit.lr;
    r.scale = m.scale;
    r.train_seconds = m.train_seconds;
    r.parameters = model::count_parameters(m.field);
    r.train_loss = m.loss;  // per step
    return r;
}

model::Kind new_class_kind() {
    using config::Kind;
    model::Kind k;
    k.name = "new-class";
    k.summary = "one more class of a conditional field, fitted to a single point";
    k.source = model::Source::Base;
    k.flags = {{"base", Kind::Path, "", "checkpoint folder of the conditional model it is fitted on "
                                        "(make passes the manifest's base)"},
               {"target", Kind::Points, "", "the new class's one point x,y, in the base's standardised frame"},
               {"fit", Kind::Choice, "embedding", "what is trained: the class's embedding row, or every parameter "
                                                  "on batches that mix in the old classes' data", 0.0,
                {"embedding", "all"}},
               {"steps", Kind::Count, "2000", "Adam steps (cosine decay)"},
               {"batch", Kind::Count, "256", "points of the new class per step"},
               {"old-batch", Kind::Count, "256", "points of the old classes per step (--fit all)"},
               {"lr", Kind::PositiveReal, "0.01", "Adam learning rate (cosine decay)"}};
    k.obtain = [](const config::Values& v, const std::string&, bool force) {
        return obtain(new_class_config(v), v.path("base"), force).dir;
    };
    k.load = [](const std::filesystem::path& dir) {
        return model::hold<model::Holding<NewClassModel>>(load_new_class(dir), new_class_record);
    };
    return k;
}

}  // namespace
}  // namespace flow::fm

FLOWREPORT_KIND(flow::fm::new_class_kind)
