package ratelimit

// RedisLimit exports redisLimit to the tests.
var RedisLimit = redisLimit
