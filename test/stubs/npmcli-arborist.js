module.exports = require("./unloaded")("@npmcli/arborist");
