// Steering requests another process wrote into the study (search/measure.h), applied
// by the running search as its own steering methods would apply them.
#include "engine.h"

#include "study/records.h"

#include <stdexcept>

namespace edanas::search {

void SearchEngine::applyRequest(const std::string &what, const std::string &json, const std::string &source,
                                const space::SearchSpace &space)
{
    if (what == "pause") {
        pause();
    } else if (what == "resume") {
        resume();
    } else if (what == "stop") {
        stop();
    } else if (what == "constraints") {
        const auto c = study::Constraints::fromJson(json, source);
        setConstraints(c.maxMacs, c.minAccuracy);
    } else if (what == "pin" || what == "ban" || what == "unpin" || what == "unban" || what == "inject") {
        auto g = space::Genome::fromJson(json, source);
        g.validate(space, source);
        if (what == "pin")
            pin(g);
        else if (what == "ban")
            ban(g);
        else if (what == "unpin")
            unpin(g);
        else if (what == "unban")
            unban(g);
        else
            inject(g);
    } else {
        throw std::invalid_argument(source + ": unknown request '" + what + "'");
    }
}

} // namespace edanas::search
