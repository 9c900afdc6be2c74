require_relative "boot"

require "rails"
require "active_model/railtie"
require "active_record/railtie"
require "action_controller/railtie"

Bundler.require(*Rails.groups)

module Ledger
  class Application < Rails::Application
    config.load_defaults 6.1
    config.api_only = true
    # The cache lives in Redis when REDIS_URL is set, as in production.
    config.cache_store = :redis_cache_store, { url: ENV["REDIS_URL"] } if ENV["REDIS_URL"]
  end
end
