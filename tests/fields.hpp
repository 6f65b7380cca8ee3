#pragma once
// A small vector field for the flow-matching tests: 3 linear layers of `hidden` units,
// a class embedding of 3 dimensions when classes > 0, initialised from rng.
#include "fm/field.hpp"

namespace flow::test {

template <class T>
fm::VectorField<T> small_field(std::size_t classes, std::size_t hidden, Rng& rng) {
    fm::FieldShape s;
    s.depth = 3;
    s.hidden = hidden;
    s.classes = classes;
    s.embed_dim = 3;
    return fm::VectorField<T>(s, rng);
}

}  // namespace flow::test
