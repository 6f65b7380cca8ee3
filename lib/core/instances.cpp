// The explicit instantiations of the model templates in float, the type that training and
// sampling run in: compiled once here, with the numeric code's optimisation, instead of in
// every file that uses them (the headers declare them extern). Files that use a model in
// double (gradient checks, a few inverses) instantiate it themselves.
#include "cnf/field.hpp"
#include "cnf/flow.hpp"
#include "fm/field.hpp"
#include "nf/coupling.hpp"
#include "nf/flow.hpp"
#include "nf/triangular.hpp"
#include "nn/layers.hpp"
#include "optim/adam.hpp"
#include "planar/flow.hpp"

namespace flow {

#define FLOWREPORT_INSTANTIATE(kind, name) template kind name<float>;

FLOWREPORT_INSTANTIATE(struct, nn::Linear)
FLOWREPORT_INSTANTIATE(struct, nn::LeakyReLU)
FLOWREPORT_INSTANTIATE(struct, nn::MLP)
FLOWREPORT_INSTANTIATE(struct, nn::Embedding)
FLOWREPORT_INSTANTIATE(struct, nf::AffineCoupling)
FLOWREPORT_INSTANTIATE(struct, nf::NormalizingFlow)
FLOWREPORT_INSTANTIATE(struct, nf::TriangularCoupling)
FLOWREPORT_INSTANTIATE(struct, nf::TriangularFlow)
FLOWREPORT_INSTANTIATE(struct, fm::VectorField)
FLOWREPORT_INSTANTIATE(struct, cnf::Field)
FLOWREPORT_INSTANTIATE(struct, cnf::Flow)
FLOWREPORT_INSTANTIATE(struct, planar::Layer)
FLOWREPORT_INSTANTIATE(struct, planar::Flow)
FLOWREPORT_INSTANTIATE(class, optim::Adam)

#undef FLOWREPORT_INSTANTIATE

}  // namespace flow
