module.exports = require("./unloaded")("@pulumi/pulumi's Automation API");
