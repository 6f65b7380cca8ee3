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

template struct nn::Linear<float>;
template struct nn::LeakyReLU<float>;
template struct nn::MLP<float>;
template struct nn::Embedding<float>;
template struct nf::AffineCoupling<float>;
template struct nf::NormalizingFlow<float>;
template struct nf::TriangularCoupling<float>;
template struct nf::TriangularFlow<float>;
template struct fm::VectorField<float>;
template struct cnf::Field<float>;
template struct cnf::Flow<float>;
template struct planar::Layer<float>;
template struct planar::Flow<float>;
template class optim::Adam<float>;

}  // namespace flow
