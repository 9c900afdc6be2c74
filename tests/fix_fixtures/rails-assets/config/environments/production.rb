require "active_support/core_ext/integer/time"

Rails.application.configure do
  config.cache_classes = true
  config.eager_load = true
  config.assets.compile = false
  config.force_ssl = true
  config.log_level = :info
end
