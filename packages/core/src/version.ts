/**
 * The version of @migraph/core, kept in code so that caches can be keyed by it without reading
 * package.json at run time; a test checks that the two agree.
 */
export const MIGRAPH_VERSION = '0.1.0'
